"""index records by (patient_id, local_date) instead of each column alone

Reading a patient's records of some days (lists, summaries, the clinicians' list of patients)
then reads only those days, however long the diary; the index also serves lookups by patient
alone, so the single-column indexes go, and each write updates one index fewer.

Revision ID: 0004_patient_day_indexes
Revises: 0003_care
Create Date: 2026-12-01 21:00:00

"""
from alembic import op


revision = '0004_patient_day_indexes'
down_revision = '0003_care'
branch_labels = None
depends_on = None

# Pain entries' index also covers what the clinicians' list reads of them.
DATED = {
    'pain_entries': ['patient_id', 'local_date', 'intensity', 'recorded_at'],
    'therapy_sessions': ['patient_id', 'local_date'],
    'medication_doses': ['patient_id', 'local_date'],
}


def upgrade():
    for table, columns in DATED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(f'ix_{table}_patient_day', columns, unique=False)
            batch_op.drop_index(f'ix_{table}_local_date')
            batch_op.drop_index(f'ix_{table}_patient_id')
    # The unique (patient_id, night_of) constraint already indexes a patient's nights.
    with op.batch_alter_table('sleep_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_sleep_entries_patient_id')


def downgrade():
    with op.batch_alter_table('sleep_entries', schema=None) as batch_op:
        batch_op.create_index('ix_sleep_entries_patient_id', ['patient_id'], unique=False)
    for table in DATED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(f'ix_{table}_patient_id', ['patient_id'], unique=False)
            batch_op.create_index(f'ix_{table}_local_date', ['local_date'], unique=False)
            batch_op.drop_index(f'ix_{table}_patient_day')
