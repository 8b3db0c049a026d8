"""Procedures: one-day treatments (neuromodulation, injections, regenerative therapies) whose
response the diary measures (DESIGN §3 Procedure, §4 Procedures)."""
