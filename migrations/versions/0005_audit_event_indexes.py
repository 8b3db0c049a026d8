"""index audit events by (actor_id, at, id) and (patient_id, at, id)

Each side reads its audit events newest first, a page at a time. With an index on the actor or
the patient alone, every page sorted all of that side's events: a clinician whose patient list
audits a thousand reads per visit soon had hundreds of thousands. The composite indexes give
the pages in order; the indexes on single columns go (nothing reads by time alone), and each
audited read updates one index fewer.

Revision ID: 0005_audit_event_indexes
Revises: 0004_patient_day_indexes
Create Date: 2026-12-01 22:00:00

"""
from alembic import op


revision = '0005_audit_event_indexes'
down_revision = '0004_patient_day_indexes'
branch_labels = None
depends_on = None

SIDES = ('actor', 'patient')


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        for side in SIDES:
            batch_op.create_index(
                f'ix_audit_events_{side}_at', [f'{side}_id', 'at', 'id'], unique=False
            )
            batch_op.drop_index(f'ix_audit_events_{side}_id')
        batch_op.drop_index('ix_audit_events_at')


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_at', ['at'], unique=False)
        for side in SIDES:
            batch_op.create_index(f'ix_audit_events_{side}_id', [f'{side}_id'], unique=False)
            batch_op.drop_index(f'ix_audit_events_{side}_at')
