"""a patient's date of birth; a medication's RxNorm concept id

Clinicians tell patients apart by more than a display name: the summary header and the FHIR
Patient carry the date of birth when the patient gives it. A medication may name its RxNorm
concept, which FHIR carries as a coding beside the text.

Revision ID: 0006_profile_and_rxnorm
Revises: 0005_audit_event_indexes
Create Date: 2026-12-02 12:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006_profile_and_rxnorm'
down_revision = '0005_audit_event_indexes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('date_of_birth', sa.Date(), nullable=True))
    with op.batch_alter_table('medications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rxnorm_code', sa.String(length=12), nullable=True))


def downgrade():
    with op.batch_alter_table('medications', schema=None) as batch_op:
        batch_op.drop_column('rxnorm_code')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('date_of_birth')
