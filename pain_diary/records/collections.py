"""The diary's collections: what the server derives for each kind of record."""

from ..sync.store import Collection, dated_by, refuse_a_second
from .models import PainEntry, SleepEntry, TherapySession
from .schemas import PainEntrySchema, SleepEntrySchema, TherapySessionSchema


def _minutes(delta):
    return round(delta.total_seconds() / 60)


def derive_sleep(values, user):
    """Time in bed, total sleep time and sleep efficiency (Consensus Sleep Diary, Carney 2012).

    TIB = out_of_bed − in_bed; TST = (final_awakening − tried_to_sleep) − latency − WASO;
    SE = TST / TIB × 100, one decimal.
    """
    time_in_bed = _minutes(values["out_of_bed_at"] - values["in_bed_at"])
    total_sleep = (
        _minutes(values["final_awakening_at"] - values["tried_to_sleep_at"])
        - values["sleep_latency_minutes"]
        - values["wake_after_sleep_onset_minutes"]
    )
    return {
        "time_in_bed_minutes": time_in_bed,
        "total_sleep_minutes": total_sleep,
        "sleep_efficiency": round(total_sleep / time_in_bed * 100, 1),
    }


def one_sleep_entry_per_night(values, user, record_id):
    night = {"patient_id": user.id, "night_of": values["night_of"]}
    refuse_a_second(
        SleepEntry,
        night,
        record_id,
        "There is a sleep entry for this night already; edit that one.",
        "A sleep entry for this night exists already.",
    )


pain_entries = Collection(
    "pain-entries",
    PainEntry,
    PainEntrySchema(),
    "recorded_at",
    "local_date",
    dated_by("recorded_at"),
    about=(
        "One row per pain rating: intensity 0-10 (0 no pain, 10 worst imaginable), body_sites "
        "[{site, intensity, side}], qualities, the PEG interference items 0-10, tags."
    ),
)
sleep_entries = Collection(
    "sleep-entries",
    SleepEntry,
    SleepEntrySchema(),
    "night_of",
    "night_of",
    derive_sleep,
    conflicts=one_sleep_entry_per_night,
    about=(
        "One row per night (Consensus Sleep Diary): the four clock times, latency, wake after "
        "sleep onset (WASO), awakenings, quality 1-5; time in bed, total sleep (minutes) and "
        "sleep efficiency (%) are computed."
    ),
)
therapy_sessions = Collection(
    "therapy-sessions",
    TherapySession,
    TherapySessionSchema(),
    "started_at",
    "local_date",
    dated_by("started_at"),
    about=(
        "One row per session: modality, start, duration in minutes, pain 0-10 before and after, "
        "program."
    ),
)

#: routes.py declares each one's routes; record_types.py declares each one's record type.
COLLECTIONS = (pain_entries, sleep_entries, therapy_sessions)
