"""rate limit counters in the database

Login and invitation throttles counted in each worker's memory, so under gunicorn an address got
as many failed logins as the limit times the number of workers (60 against a limit of 30 with
two). The counters now live in the app's database, one fixed window per throttle key: its hits
and when it ends. An ended window is started again by the next hit, and swept now and then.

Revision ID: 0007_rate_limit_counters
Revises: 0006_profile_and_rxnorm
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007_rate_limit_counters'
down_revision = '0006_profile_and_rxnorm'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rate_limit_counters',
        sa.Column('key', sa.String(length=512), nullable=False),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counters')),
    )


def downgrade():
    op.drop_table('rate_limit_counters')
