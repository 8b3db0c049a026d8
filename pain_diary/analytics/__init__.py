"""Every figure of the clinician summary (DESIGN §4): the one home of the diary's pure analytics.

Pure functions over plain records (:mod:`.common`): no Flask, no database, no feature package.
A loader turns rows into ``PainPoint``, ``SleepNight``, ``TherapyPoint``, ``ProcedurePoint``,
``PatientNote`` and the medication records of :mod:`.adherence`; adherence and MME (:mod:`.mme`,
CDC 2022) reach :func:`flags` as plain numbers.

A module per subject: ``pain``, ``sleep``, ``therapy``, ``procedures`` (which reads pain through
``pain``), ``notes``, ``completion``, ``flags`` (which compares pain through ``pain``),
``adherence`` and ``mme``; ``common`` holds what they share (the records, the windows, display
rounding) and imports none of them. This package's ``__init__`` is the face of the first seven
(``analytics.<name>``); ``adherence`` and ``mme`` are imported as modules.
"""

from .common import (
    MIN_LOGGED_DAYS,
    WINDOW_DAYS,
    PainPoint,
    SleepNight,
    TherapyPoint,
    round1,
    round2,
)
from .completion import LATE_ENTRY_AFTER, completion
from .flags import ALERT, DEFAULT_FLAG_THRESHOLDS, WARNING, FlagThresholds, flags
from .notes import NOTES_COUNT, PatientNote, recent_notes
from .pain import (
    RECENT_VS_PRIOR,
    TOP_COUNT,
    PainChange,
    PainComparison,
    daily_pain,
    immpact_response,
    mean_daily_pain,
    pain_summary,
    pain_trend_per_week,
    percent_change,
    recent_pain_change,
)
from .procedures import PROCEDURE_DAYS, ProcedurePoint, procedure_responses
from .sleep import MIN_CORRELATION_PAIRS, MIN_RANKED_PAIRS, sleep_summary, spearman_rho
from .therapy import therapy_summary

__all__ = [
    "ALERT",
    "DEFAULT_FLAG_THRESHOLDS",
    "LATE_ENTRY_AFTER",
    "MIN_CORRELATION_PAIRS",
    "MIN_LOGGED_DAYS",
    "MIN_RANKED_PAIRS",
    "NOTES_COUNT",
    "PROCEDURE_DAYS",
    "RECENT_VS_PRIOR",
    "TOP_COUNT",
    "WARNING",
    "WINDOW_DAYS",
    "FlagThresholds",
    "PainChange",
    "PainComparison",
    "PainPoint",
    "PatientNote",
    "ProcedurePoint",
    "SleepNight",
    "TherapyPoint",
    "completion",
    "daily_pain",
    "flags",
    "immpact_response",
    "mean_daily_pain",
    "pain_summary",
    "pain_trend_per_week",
    "percent_change",
    "procedure_responses",
    "recent_notes",
    "recent_pain_change",
    "round1",
    "round2",
    "sleep_summary",
    "spearman_rho",
    "therapy_summary",
]
