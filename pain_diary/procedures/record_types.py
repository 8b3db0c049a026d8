"""Procedures as the rest of the app sees them (DESIGN §1): one declaration."""

from ..analytics.procedures import procedure_responses
from ..charts.marks import ChartMark
from ..sync.registry import Noted, Page, RecordType, Section
from .collections import procedures
from .diary import load
from .fhir import procedure_resources
from .schemas import KINDS, SECTION, WINDOWS

LABELS = {
    "prp_injection": "PRP injection",
    "scs_trial": "Spinal cord stimulator trial",
    "scs_implant": "Spinal cord stimulator implant",
    "drg_stimulator": "DRG stimulator",
    "same_day": "Same day (6 hours)",
    "week_1": "Week 1",
    "weeks_2_3": "Weeks 2–3",
    "month_3": "Month 3",
    "month_6": "Month 6",
}


def summarize(diary, now):
    part = diary.records["procedures"]
    return procedure_responses(part.procedures, part.pain, diary.tz, diary.last_day)


def marks(diary):
    """The period's procedures on the pain chart: a line on the day, a span for a trial."""
    found = []
    for procedure in diary.records["procedures"].procedures:
        day = procedure.performed_at.astimezone(diary.tz).date()
        until = (
            procedure.trial_ends_at.astimezone(diary.tz).date() if procedure.trial_ends_at else None
        )
        if day <= diary.last_day and (until or day) >= diary.first_day:
            found.append(ChartMark(day, LABELS.get(procedure.kind, _words(procedure.kind)), until))
    return found


def _words(code):
    text = code.replace("_", " ")
    return text[:1].upper() + text[1:]


PROCEDURES = RecordType(
    "procedures",
    collections=(procedures,),
    load=load,
    summary=Section(summarize, SECTION),
    marks=marks,
    fhir=procedure_resources,
    vocabulary={"procedure_kinds": KINDS, "procedure_windows": WINDOWS},
    labels=LABELS,
    notes=(Noted(procedures, "Procedure", "performed_at"),),
    history=(("procedures", "Procedures", "procedures"),),
    pages=(Page("/procedures", "procedures", "Procedures", "pages/procedures.html"),),
)
