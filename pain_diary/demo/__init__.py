"""`flask demo`: a demo patient with 120 days of diary and their clinician, known credentials.

The diary tells one consistent story (see ``story.py``): back pain that eases from about 7 to
about 4.4 and is worse after short nights, two scheduled medications (one an opioid) and an
as-needed opioid, weekly physiotherapy and weeks of VR and mindfulness, a medial branch block
and a week's spinal cord stimulator trial, and each day's steps, fewer on the worse days.
Records are loaded and derived as the API does (see ``writer.py``), so every rule holds and
every derived field is the server's own.
"""

from datetime import UTC, datetime, timedelta

import click
from flask.cli import with_appcontext

from ..accounts.users import create_user, user_by_email
from ..care.invitations import link_clinician
from ..extensions import db
from ..localtime import local_date
from ..sync.registry import registered_collections
from .activity import activity_records
from .diary import pain_records, sleep_records
from .prescriptions import NAPROXEN, dose_records, medication_records
from .procedures import block_relief_records, procedure_records
from .story import STORY_DAYS, record_id, tell
from .therapy import therapy_records
from .writer import DiaryWriter

DEMO_PASSWORD = "demo-pain-diary"
DEMO_USERS = (
    ("patient@demo.example", "Demo Patient", "patient", "Europe/Berlin"),
    ("clinician@demo.example", "Dr Demo Clinician", "clinician", "Europe/Berlin"),
)
# Medications first: dose events name them.
RECORDS = (
    medication_records, dose_records, pain_records, block_relief_records, sleep_records,
    therapy_records, procedure_records, activity_records,
)  # fmt: skip
SUMMARY = (
    "pain-entries", "sleep-entries", "medications", "medication-doses", "therapy-sessions",
    "procedures", "activity-days",
)  # fmt: skip


@click.command("demo")
@with_appcontext
def demo_command():
    """Create (or reuse) the demo users, fill the patient's diary and print the credentials."""
    users = {}
    for email, name, role, timezone in DEMO_USERS:
        user = user_by_email(email)
        if user is None:
            user = create_user(email, DEMO_PASSWORD, name, role, timezone)
        db.session.commit()
        users[role] = user
        click.echo(f"{role:<10} {email}  password: {DEMO_PASSWORD}")
    link_care_team(users["patient"], users["clinician"])
    story, writer = fill_diary(users["patient"])
    created = ", ".join(f"{writer.created[name]} {name.replace('-', ' ')}" for name in SUMMARY)
    click.echo(
        f"demo diary {story.days[0].date} to {story.days[-1].date}: created {created}; "
        f"{sum(writer.kept.values())} already there"
    )


def link_care_team(patient, clinician):
    """Let the demo clinician read the demo patient's diary, as if an invitation was redeemed."""
    link_clinician(patient.id, clinician.id)
    db.session.commit()


def fill_diary(patient, now=None):
    """Write the demo story up to ``now`` into the patient's diary; return it and the writer."""
    now = now or datetime.now(UTC)
    today = local_date(now, patient.tz)
    story = tell(patient.id, patient.tz, now, _first_day(patient, today), today)
    writer = DiaryWriter(patient)
    for records in RECORDS:
        for record in records(story):
            writer.add(*record)
        db.session.commit()
    return story, writer


def _first_day(patient, today):
    """Start 120 days back, or where an earlier run started, so a rerun continues its story."""
    first_day = today - timedelta(days=STORY_DAYS - 1)
    medication = registered_collections()["medications"].model
    started = db.session.get(medication, record_id(patient.id, "medication", NAPROXEN.key))
    if started is not None:
        first_day = min(first_day, started.start_date)
    return first_day
