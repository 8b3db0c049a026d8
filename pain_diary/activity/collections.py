"""The activity-days collection: a patient's own write is a manual day, not after today."""

from datetime import UTC, datetime

from ..errors import ApiError
from ..localtime import local_date
from ..sync.store import Collection, refuse_a_second
from .models import ActivityDay
from .schemas import MANUAL, ActivityDaySchema


def derive(values, user):
    """A patient's own write is the day's manual figure; a day still to come is refused."""
    if values["date"] > local_date(datetime.now(UTC), user.tz):
        raise ApiError(
            422, "The request has invalid fields.", fields={"date": ["Must not be after today."]}
        )
    return {"source": MANUAL, "import_id": None}


def one_record_per_day_and_source(values, user, record_id):
    refuse_a_second(
        ActivityDay,
        {"patient_id": user.id, "date": values["date"], "source": values["source"]},
        record_id,
        "There is a figure of this day from this source already; edit that one.",
        "A record of this day and source exists already.",
    )


activity_days = Collection(
    "activity-days",
    ActivityDay,
    ActivityDaySchema(),
    "date",
    "date",
    derive,
    conflicts=one_record_per_day_and_source,
    about=(
        "One row per local day and source (manual, apple_health, google_fit, fitbit, csv): steps "
        "and active minutes; the day's figure is the manual row, else the source with the most "
        "steps."
    ),
)
