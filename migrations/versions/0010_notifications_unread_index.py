"""index notifications by (patient_id, read_at): the unread count every patient page shows

Each page's bar counts the patient's unread reminders. Through the index on (patient_id,
created_at) that read every notification of the patient kept (three months of them); this one
counts the unread ones alone, from the index without the table.

Revision ID: 0010_notifications_unread_index
Revises: 0009_tombstones_per_collection
Create Date: 2026-12-07 13:40:00

"""
from alembic import op


revision = '0010_notifications_unread_index'
down_revision = '0009_tombstones_per_collection'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(
            'ix_notifications_patient_unread', ['patient_id', 'read_at'], unique=False
        )


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_patient_unread')
