"""Pain entries, sleep entries and therapy sessions as the rest of the app sees them (DESIGN §1)."""

from datetime import timedelta

from .. import analytics
from ..charts import pain, sleep, therapy
from ..localtime import part_of_day
from ..sync.registry import Answered, Chart, Noted, RecordType, Reminder, Section
from . import queries
from .collections import pain_entries, sleep_entries, therapy_sessions
from .fhir import pain_resources, sleep_resources, therapy_resources
from .schemas import (
    BODY_SITES,
    MODALITIES,
    PAIN_SECTION,
    QUALITIES,
    SLEEP_SECTION,
    THERAPY_SECTION,
)


def on_the_day(rule, occurrence_at, day):
    """A check-in is answered by a pain entry on the local day it was due."""
    return rule.patient_id, day


def the_night_before(rule, occurrence_at, day):
    """A sleep diary is answered by the entry of the night that ended that morning."""
    return rule.patient_id, day - timedelta(days=1)


def check_in_headline(clock):
    return f"Time for your {part_of_day(clock)} check-in"


def sleep_headline(clock):
    return "Time to fill in your sleep diary for last night"


def session_headline(clock):
    return f"Time for your {clock:%H:%M} session"


def pain_section(diary, now):
    return analytics.pain_summary(diary.pain, diary.first_day, diary.last_day)


def sleep_section(diary, now):
    daily_pain = analytics.daily_pain(diary.pain)  # for the sleep–pain correlation
    return analytics.sleep_summary(diary.sleep, daily_pain, diary.first_day, diary.last_day)


def therapy_section(diary, now):
    return analytics.therapy_summary(diary.therapy)


PAIN = RecordType(
    "pain",
    collections=(pain_entries,),
    summary=Section(pain_section, PAIN_SECTION),
    charts=(Chart("pain", "Pain", pain.draw, frozenset({"pain"}), marked=True),),
    fhir=pain_resources,
    vocabulary={
        "body_sites": BODY_SITES,
        "qualities": QUALITIES,
        # The NRS anchors at each end of the 0–10 scale (IMMPACT, Dworkin 2005).
        "nrs_anchors": {0: "No pain", 10: "Worst pain imaginable"},
    },
    labels={"wrist_hand": "Wrist or hand", "ankle_foot": "Ankle or foot"},
    reminders=(
        Reminder(
            "pain_log",
            "Pain check-in",
            "/today",
            "Check-in",
            check_in_headline,
            Answered(on_the_day, queries.logged_days),
        ),
    ),
    notes=(Noted(pain_entries, "Pain entry", "recorded_at"),),
    history=(("pain", "Pain", "pain-entries"),),
)

SLEEP = RecordType(
    "sleep",
    collections=(sleep_entries,),
    summary=Section(sleep_section, SLEEP_SECTION),
    charts=(Chart("sleep", "Sleep", sleep.draw, frozenset({"sleep"})),),
    fhir=sleep_resources,
    vocabulary={
        "sleep_quality": {1: "Very poor", 2: "Poor", 3: "Fair", 4: "Good", 5: "Very good"},
    },
    reminders=(
        Reminder(
            "sleep_log",
            "Sleep diary",
            "/today#sleep",
            "Sleep diary",
            sleep_headline,
            Answered(the_night_before, queries.logged_nights),
        ),
    ),
    notes=(Noted(sleep_entries, "Sleep diary", "out_of_bed_at"),),
    history=(("sleep", "Sleep", "sleep-entries"),),
)

THERAPY = RecordType(
    "therapy",
    collections=(therapy_sessions,),
    summary=Section(therapy_section, THERAPY_SECTION),
    charts=(Chart("therapy", "Therapy", therapy.draw, frozenset({"therapy"})),),
    fhir=therapy_resources,
    vocabulary={"modalities": MODALITIES},
    labels={"vr": "VR therapy", "cbt": "CBT", "tens": "TENS"},
    # No "already logged": a session reminder stands even on a day with a session.
    reminders=(
        Reminder("therapy", "Therapy session", "/today#therapy", "Session", session_headline),
    ),
    notes=(Noted(therapy_sessions, "Therapy session", "started_at"),),
    history=(("therapy", "Therapy", "therapy-sessions"),),
)
