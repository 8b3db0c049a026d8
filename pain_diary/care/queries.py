"""Care links as plain rows, for the packages that list a clinician's patients."""

from sqlalchemy import String, cast, select

from ..accounts.queries import with_user_fields
from ..extensions import db
from .models import CareLink


def linked_patients_query(clinician_id):
    """The ids of the clinician's actively linked patients: a subquery, to read their records."""
    return select(CareLink.patient_id).where(
        CareLink.clinician_id == clinician_id, CareLink.revoked_at.is_(None)
    )


def active_links(clinician_id, *per_patient):
    """The clinician's active links, oldest first, with the patient's name, timezone and creation.

    A row has ``link_id``, ``patient_id``, ``key`` (the patient's id as text, cast by the
    database), ``display_name``, ``timezone``, ``created_at``, then a column for each of
    ``per_patient``: functions of the patient's id column, such as a correlated subquery, so
    that the list stays one statement.
    """
    links = select(
        CareLink.id.label("link_id"),
        CareLink.patient_id,
        cast(CareLink.patient_id, String).label("key"),
    )
    return db.session.execute(
        with_user_fields(links, CareLink.patient_id, *per_patient)
        .where(CareLink.clinician_id == clinician_id, CareLink.revoked_at.is_(None))
        .order_by(CareLink.created_at)
    ).all()
