"""The feature packages' public queries that insights and the reminders read the diary through."""

import uuid

from pain_diary.care.queries import active_links
from pain_diary.records.queries import first_pain_day, first_pain_day_column, logged_pain_on

from .test_dashboard import Diary, link, write


def test_logged_pain_on_is_the_patients_local_day_and_nobody_elses(app, db, accounts):
    patient, other = accounts.create(role="patient"), accounts.create(role="patient")
    diary = Diary(patient).pain(2, 5)
    write(app, db, diary, Diary(other).pain(1, 3))
    with app.app_context():
        patient_id = uuid.UUID(patient.id)
        assert logged_pain_on(patient_id, diary.day(2)) is True
        assert logged_pain_on(patient_id, diary.day(1)) is False
        assert logged_pain_on(patient_id, diary.day(3)) is False


def test_first_pain_day_is_the_earliest_local_date_or_none(app, db, accounts):
    patient, quiet = accounts.create(role="patient"), accounts.create(role="patient")
    diary = Diary(patient).pain(3, 5).pain(9, 2).pain(1, 4)
    write(app, db, diary)
    with app.app_context():
        assert first_pain_day(uuid.UUID(patient.id)) == diary.day(9)
        assert first_pain_day(uuid.UUID(quiet.id)) is None


def test_active_links_are_the_clinicians_unrevoked_ones_with_their_patients_fields(
    app, db, accounts
):
    clinician = accounts.create(role="clinician")
    linked = accounts.create(role="patient", display_name="Ada", timezone="Europe/Berlin")
    revoked = accounts.create(role="patient")
    link_id = link(app, db, linked, clinician)
    link(app, db, revoked, clinician, revoked=True)
    link(app, db, accounts.create(role="patient"), accounts.create(role="clinician"))
    diary = Diary(linked).pain(4, 6)
    write(app, db, diary)
    with app.app_context():
        (row,) = active_links(uuid.UUID(clinician.id), first_pain_day_column)
    assert (str(row.link_id), row.display_name, row.timezone) == (link_id, "Ada", "Europe/Berlin")
    # The key is the database's own text of the id (hex on SQLite, dashed on PostgreSQL).
    assert uuid.UUID(row.key) == row.patient_id == uuid.UUID(linked.id)
    assert row.first_pain_day == diary.day(4) and row.created_at is not None
