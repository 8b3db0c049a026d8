"""activity: each local day's steps and minutes by source, and the uploads the worker imports

The upload's bytes live in activity_import_chunks until the worker has read them, so that a web
machine and the worker need no shared disk (DESIGN §3 Activity imports).

Revision ID: 0012_activity
Revises: 0011_procedures
Create Date: 2026-12-07 18:26:04

"""
from alembic import op
import sqlalchemy as sa


revision = '0012_activity'
down_revision = '0011_procedures'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('activity_imports',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('patient_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=True),
    sa.Column('bytes', sa.BigInteger(), nullable=False),
    sa.Column('bytes_read', sa.BigInteger(), nullable=False),
    sa.Column('days_written', sa.Integer(), nullable=True),
    sa.Column('devices', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['patient_id'], ['users.id'], name=op.f('fk_activity_imports_patient_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_imports'))
    )
    with op.batch_alter_table('activity_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_imports_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_imports_status'), ['status'], unique=False)

    op.create_table('activity_days',
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('steps', sa.Integer(), nullable=True),
    sa.Column('active_minutes', sa.Integer(), nullable=True),
    sa.Column('import_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('patient_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['activity_imports.id'], name=op.f('fk_activity_days_import_id_activity_imports'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['patient_id'], ['users.id'], name=op.f('fk_activity_days_patient_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_days')),
    sa.UniqueConstraint('patient_id', 'date', 'source', name=op.f('uq_activity_days_patient_id'))
    )
    op.create_table('activity_import_chunks',
    sa.Column('import_id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['activity_imports.id'], name=op.f('fk_activity_import_chunks_import_id_activity_imports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('import_id', 'seq', name=op.f('pk_activity_import_chunks'))
    )


def downgrade():
    op.drop_table('activity_import_chunks')
    op.drop_table('activity_days')
    with op.batch_alter_table('activity_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_imports_status'))
        batch_op.drop_index(batch_op.f('ix_activity_imports_patient_id'))

    op.drop_table('activity_imports')
