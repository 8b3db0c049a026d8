"""Physical activity: each local day's steps and active minutes from the patient's phone or
watch, typed by hand or imported from an export (DESIGN §3 Activity day, Activity imports)."""
