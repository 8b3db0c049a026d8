"""procedures: one-day treatments whose response the diary measures (DESIGN §3 Procedure)

Revision ID: 0011_procedures
Revises: 0010_notifications_unread_index
Create Date: 2026-12-07 17:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011_procedures'
down_revision = '0010_notifications_unread_index'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('procedures',
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('performed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('trial_ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('body_sites', sa.JSON(), nullable=False),
    sa.Column('level', sa.String(length=40), nullable=True),
    sa.Column('provider', sa.String(length=120), nullable=True),
    sa.Column('reported_relief_percent', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('patient_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['users.id'], name=op.f('fk_procedures_patient_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procedures'))
    )
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.create_index('ix_procedures_patient_day', ['patient_id', 'local_date'], unique=False)


def downgrade():
    op.drop_table('procedures')
