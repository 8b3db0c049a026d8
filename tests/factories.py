"""factory_boy factories: users bound to the app's database session, and record bodies."""

from datetime import date, datetime, timedelta, timezone

import factory
from factory.alchemy import SQLAlchemyModelFactory

from pain_diary.accounts.models import User
from pain_diary.accounts.passwords import hash_password
from pain_diary.extensions import db

PASSWORD = "correct horse battery staple"


def password_hash():
    return hash_password(PASSWORD)


class UserFactory(SQLAlchemyModelFactory):
    class Meta:
        model = User
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    display_name = factory.Faker("first_name")
    role = "patient"
    timezone = "Europe/Berlin"
    password_hash = factory.LazyFunction(password_hash)


# Request bodies of the diary's records, as a phone in Berlin (UTC+1 in March and November) writes
# them. ``day=n`` moves every instant and date of a body n days later; a field given ``...`` is
# left out of the body.
CET = timezone(timedelta(hours=1))


class Body(factory.DictFactory):
    """A JSON request body: a dict without the fields given ``...``."""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return {name: value for name, value in kwargs.items() if value is not ...}

    _build = _create


def later(start, days):
    return (start + timedelta(days=days)).isoformat()


def after(start, **duration):
    return (start + timedelta(**duration)).isoformat()


class PainEntryBody(Body):
    """A pain entry of intensity 4 at 08:15 on 10 March 2024."""

    class Params:
        day = 0

    recorded_at = factory.LazyAttribute(
        lambda o: later(datetime(2024, 3, 10, 8, 15, tzinfo=CET), o.day)
    )
    intensity = 4


class SleepEntryBody(Body):
    """The night of 9 March 2024: in bed 22:30 to 07:00, 20 minutes to fall asleep, 40 awake."""

    class Params:
        day = 0
        in_bed = factory.LazyAttribute(
            lambda o: datetime(2024, 3, 9, 22, 30, tzinfo=CET) + timedelta(days=o.day)
        )

    night_of = factory.LazyAttribute(lambda o: later(date(2024, 3, 9), o.day))
    in_bed_at = factory.LazyAttribute(lambda o: o.in_bed.isoformat())
    tried_to_sleep_at = factory.LazyAttribute(lambda o: after(o.in_bed, minutes=30))
    final_awakening_at = factory.LazyAttribute(lambda o: after(o.in_bed, hours=8))
    out_of_bed_at = factory.LazyAttribute(lambda o: after(o.in_bed, hours=8, minutes=30))
    sleep_latency_minutes = 20
    wake_after_sleep_onset_minutes = 40
    awakenings = 2
    quality = 3


class TherapySessionBody(Body):
    """Twenty minutes of VR therapy at 18:00 on 10 March 2024."""

    class Params:
        day = 0

    modality = "vr"
    started_at = factory.LazyAttribute(
        lambda o: later(datetime(2024, 3, 10, 18, tzinfo=CET), o.day)
    )
    duration_minutes = 20


class MedicationBody(Body):
    """Ibuprofen 400 mg by mouth at 08:00 and 20:00 every day from 1 November 2026."""

    name = "Ibuprofen 400"
    ingredient = "ibuprofen"
    dose_amount = 400
    dose_unit = "mg"
    route = "oral"
    schedule = factory.LazyFunction(
        lambda: {"times": ["08:00", "20:00"], "days_of_week": [0, 1, 2, 3, 4, 5, 6]}
    )
    start_date = "2026-11-01"


class DoseEventBody(Body):
    """The 08:00 dose of 20 November 2026, taken at 08:05; ``medication_id`` has no default."""

    class Params:
        day = 0

    status = "taken"
    scheduled_for = factory.LazyAttribute(
        lambda o: later(datetime(2026, 11, 20, 8, tzinfo=CET), o.day)
    )
    taken_at = factory.LazyAttribute(
        lambda o: later(datetime(2026, 11, 20, 8, 5, tzinfo=CET), o.day)
    )
