"""Activity as the rest of the app sees it (DESIGN §1): one declaration."""

from .. import analytics
from ..analytics.activity import activity_summary
from ..charts import activity
from ..sync.registry import Chart, Page, RecordType, Section
from .collections import activity_days
from .diary import load
from .fhir import steps_resources
from .schemas import SECTION, SOURCES


def summarize(diary, now):
    daily = analytics.daily_pain(diary.pain)  # for the steps–pain correlation
    return activity_summary(diary.records["activity"], daily, diary.first_day, diary.last_day)


ACTIVITY = RecordType(
    "activity",
    collections=(activity_days,),
    load=load,
    summary=Section(summarize, SECTION),
    charts=(Chart("activity", "Activity", activity.draw, frozenset({"activity"})),),
    fhir=steps_resources,
    vocabulary={"activity_sources": SOURCES},
    labels={"apple_health": "Apple Health", "google_fit": "Google Fit", "csv": "CSV file"},
    pages=(Page("/activity", "activity", "Activity", "pages/activity.html"),),
)
