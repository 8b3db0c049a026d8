"""The diary's vocabulary in words a patient reads: the API's codes, labelled for the pages."""

from ..insights.analytics import RECENT_VS_PRIOR
from ..medications.schemas import DOSE_UNITS, ROUTES
from ..records.schemas import BODY_SITES, MODALITIES, QUALITIES
from ..reminders.schemas import CHANNELS, KINDS

#: Labels that differ from the code with its underscores turned into spaces.
SPECIAL = {
    "wrist_hand": "Wrist or hand",
    "ankle_foot": "Ankle or foot",
    "vr": "VR therapy",
    "cbt": "CBT",
    "tens": "TENS",
    "mcg": "mcg",
    "mg": "mg",
    "g": "g",
    "ml": "ml",
    "mcg_per_hour": "mcg per hour",
    "fentanyl_transdermal": "Fentanyl patch",
}

#: The NRS anchors at each end of the 0–10 scale (IMMPACT, Dworkin 2005).
NRS_ANCHORS = {0: "No pain", 10: "Worst pain imaginable"}
SLEEP_QUALITY = {1: "Very poor", 2: "Poor", 3: "Fair", 4: "Good", 5: "Very good"}
#: What each kind of reminder reminds of, and where it arrives.
REMINDER_KINDS = {
    "pain_log": "Pain check-in",
    "sleep_log": "Sleep diary",
    "medication": "Medication",
    "therapy": "Therapy session",
}
CHANNEL_WORDS = {"in_app": "In the app", "push": "Push notification", "email": "Email"}
#: 0 = Monday, as the API counts days of the week.
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def label(code):
    """``lower_back`` → "Lower back"."""
    return SPECIAL.get(code) or code.replace("_", " ").capitalize()


def labelled(codes):
    return [(code, label(code)) for code in codes]


WORDS = {
    "body_sites": labelled(BODY_SITES),
    "qualities": labelled(QUALITIES),
    "modalities": labelled(MODALITIES),
    "dose_units": labelled(DOSE_UNITS),
    "routes": labelled(ROUTES),
    "nrs_anchors": NRS_ANCHORS,
    "sleep_quality": SLEEP_QUALITY,
    "reminder_kinds": [(kind, REMINDER_KINDS[kind]) for kind in KINDS],
    "channels": [(channel, CHANNEL_WORDS[channel]) for channel in CHANNELS],
    "weekdays": list(enumerate(WEEKDAYS)),
    # The clinic's card names its pain change by the definition GET /patients computes it with.
    "pain_change_comparison": RECENT_VS_PRIOR.words,
}
