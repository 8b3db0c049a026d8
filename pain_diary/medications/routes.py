"""Medications and dose events under /api/v1, and today's dose checklist."""

from datetime import UTC, datetime, timedelta

from flask_login import current_user
from flask_smorest import Blueprint

from ..accounts.auth import patient_required
from ..analytics.adherence import doses_for_day
from ..localtime import local_date
from ..sync.routes import collection_routes
from .collections import medication_doses, medications
from .queries import dose_records, medication_plans, patient_medications
from .schemas import MedicationQuerySchema, TodaySchema

bp = Blueprint("medications", __name__, url_prefix="/api/v1", description="Medications and doses.")

collection_routes(bp, medications, MedicationQuerySchema)
collection_routes(bp, medication_doses)


@bp.route("/medications/today")
@bp.response(200, TodaySchema)
@patient_required
def today():
    """Today's scheduled doses in local time, each taken, skipped, pending or missed."""
    now = datetime.now(UTC)
    day = local_date(now, current_user.tz)
    # Events are filed by their own local date; a late dose may sit on the next day.
    events = dose_records(current_user.id, day - timedelta(days=1), day + timedelta(days=1))
    medications = patient_medications(current_user.id)
    doses = doses_for_day(medication_plans(medications), events, current_user.tz, day, now)
    by_id = {medication.id: medication for medication in medications}
    for dose in doses:
        medication = by_id[dose["medication_id"]]
        dose.update(dose_amount=medication.dose_amount, dose_unit=medication.dose_unit)
    return {"date": day, "doses": doses}
