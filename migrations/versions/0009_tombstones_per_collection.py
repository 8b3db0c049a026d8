"""tombstones per collection: deleted_records keyed by (id, collection)

Each collection checks only its own table for a taken id, so one UUID may be stored in two
collections; a tombstone keyed by the id alone made deleting the second one fail for ever, and
blocked a new record of that id in every other collection.

Revision ID: 0009_tombstones_per_collection
Revises: 0008_reminders
Create Date: 2026-12-07 11:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_tombstones_per_collection'
down_revision = '0008_reminders'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('deleted_records', schema=None) as batch_op:
        batch_op.drop_constraint('pk_deleted_records', type_='primary')
        batch_op.create_primary_key('pk_deleted_records', ['id', 'collection'])


def downgrade():
    # One tombstone per id again: of an id deleted from several collections, the first by name.
    op.execute(sa.text(
        "DELETE FROM deleted_records WHERE EXISTS (SELECT 1 FROM deleted_records AS other"
        " WHERE other.id = deleted_records.id AND other.collection < deleted_records.collection)"
    ))
    with op.batch_alter_table('deleted_records', schema=None) as batch_op:
        batch_op.drop_constraint('pk_deleted_records', type_='primary')
        batch_op.create_primary_key('pk_deleted_records', ['id'])
