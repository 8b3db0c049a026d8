"""Medications and dose events as synced collections: ownership checks and derived fields."""

import uuid
from datetime import time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..errors import ApiError
from ..extensions import db
from ..localtime import local_date, occurrences
from ..sync.store import Collection, load_body, put_record, refuse_a_second
from ..types import utcnow
from .models import DoseEvent, Medication
from .schemas import DoseEventSchema, MedicationSchema


def own_medication(user, medication_id):
    medication = db.session.get(Medication, medication_id)
    if medication is None or medication.patient_id != user.id:
        raise ApiError(
            422, "No such medication.", fields={"medication_id": ["No such medication."]}
        )
    return medication


def is_scheduled_dose(medication, instant, tz):
    """Whether ``instant`` is one of the medication's scheduled doses (DST rules included)."""
    day = local_date(instant, tz)
    if day < medication.start_date or (medication.end_date and day > medication.end_date):
        return False
    times = [time.fromisoformat(t) for t in medication.schedule["times"]]
    due = occurrences(
        times,
        medication.schedule["days_of_week"],
        day - timedelta(days=1),
        day + timedelta(days=1),
        tz,
    )
    return instant in due


def derive_dose(values, user):
    """Check the medication and the due instant; fill amount, unit and the local date."""
    medication = own_medication(user, values["medication_id"])
    scheduled_for = values["scheduled_for"]
    if scheduled_for is not None:
        if medication.schedule is None:
            raise ApiError(
                422,
                "This medication is taken as needed.",
                fields={"scheduled_for": ["Must be empty for an as-needed medication."]},
            )
        if not is_scheduled_dose(medication, scheduled_for, user.tz):
            raise ApiError(
                422,
                "Not one of this medication's scheduled doses.",
                fields={"scheduled_for": ["Not one of this medication's scheduled times."]},
            )
    occurred_at = values["taken_at"] or scheduled_for
    return {
        "amount": values["amount"] or medication.dose_amount,
        "dose_unit": medication.dose_unit,
        "occurred_at": occurred_at,
        "local_date": local_date(occurred_at, user.tz),
    }


def one_event_per_scheduled_dose(values, user, record_id):
    dose = {"medication_id": values["medication_id"], "scheduled_for": values["scheduled_for"]}
    refuse_a_second(
        DoseEvent,
        dose,
        record_id,
        "This scheduled dose has been logged already; edit that entry.",
        "This dose has an entry already.",
    )


medication_doses = Collection(
    "medication-doses",
    DoseEvent,
    DoseEventSchema(),
    "occurred_at",
    "local_date",
    derive_dose,
    conflicts=one_event_per_scheduled_dose,
    about=(
        "One row per dose taken or skipped: medication_id (the id column of medications.csv), "
        "scheduled_for (empty for as-needed doses), taken_at, amount, skip_reason."
    ),
)
medications = Collection(
    "medications",
    Medication,
    MedicationSchema(),
    "created_at",
    dependents=((medication_doses, "medication_id"),),
    about=(
        "One row per medication: rxnorm_code (the RxNorm concept id, if given), dose amount and "
        "unit, route, schedule {times, days_of_week (0 = Monday)} or as_needed, start and end "
        "dates; is_opioid from the CDC table."
    ),
)

#: Tries of a "Taken" that lost a race (another tap, the diary) before it gives up.
TAKEN_TRIES = 3
#: The fields derive_dose names when the dose a reminder asked about is not scheduled any more.
DOSE_GONE_FIELDS = {"medication_id", "scheduled_for"}


def take_scheduled_dose(user, medication_id, scheduled_for):
    """Log a scheduled dose as taken now, as a PUT would: (the dose event, whether created).

    A dose already taken is answered unchanged; a skipped one becomes taken under its own id.
    Two taps at once leave one event: the loser's write meets the unique (medication_id,
    scheduled_for) or the version it read, and reads the winner's event again.

    :raise ApiError 410: the medication no longer schedules that dose (edited, ended, as needed).
    """
    for _ in range(TAKEN_TRIES):
        event = db.session.scalar(
            select(DoseEvent).where(
                DoseEvent.medication_id == medication_id,
                DoseEvent.scheduled_for == scheduled_for,
            )
        )
        if event is not None and event.status == "taken":
            return event, False
        body = {
            "medication_id": str(medication_id),
            "status": "taken",
            "scheduled_for": scheduled_for.isoformat(),
            "taken_at": utcnow().isoformat(),
        }
        if event is not None:
            body["version"] = event.version
        record_id = event.id if event is not None else uuid.uuid4()
        try:
            return put_record(medication_doses, user, record_id, load_body(medication_doses, body))
        except ApiError as refused:
            if refused.status == 422 and refused.fields and set(refused.fields) <= DOSE_GONE_FIELDS:
                raise ApiError(
                    410, "This dose is no longer on the medication's schedule; nothing was logged."
                ) from None
            if refused.status != 409:
                raise
        except IntegrityError:
            pass
        db.session.rollback()
    raise ApiError(409, "This dose was being logged at the same moment; try again.")
