"""Who may read whose diary, and the audit event every clinician read leaves behind."""

import uuid

from flask import request
from flask_login import current_user
from sqlalchemy import insert, select

from ..accounts.users import user_by_id
from ..errors import ApiError
from ..extensions import db
from ..types import utcnow
from .models import AuditEvent, CareLink


def active_link(clinician_id, patient_id):
    return db.session.scalar(
        select(CareLink).where(
            CareLink.clinician_id == clinician_id,
            CareLink.patient_id == patient_id,
            CareLink.revoked_at.is_(None),
        )
    )


def audit(patient_ids, resource, outcome="allowed", action="read"):
    """Write one audit event per patient, in one statement, and commit it at once."""
    if not patient_ids:
        return
    # The same for every event: read once, not through the request proxies once per patient.
    shared = {
        "at": utcnow(), "actor_id": current_user.id, "action": action, "resource": resource,
        "outcome": outcome, "ip": request.remote_addr,
    }  # fmt: skip
    db.session.execute(
        insert(AuditEvent),
        [{"id": uuid.uuid4(), "patient_id": pid, **shared} for pid in patient_ids],
    )
    db.session.commit()


def readable_patient(patient_id, resource):
    """The patient the signed-in clinician may read (audited either way); 404 without a link.

    :raise 404: when there is no active link, exactly as if the patient did not exist.
    """
    if not current_user.is_clinician:
        raise ApiError(403, "Only a clinician reads another patient's diary.")
    allowed = active_link(current_user.id, patient_id) is not None
    audit([patient_id], resource, "allowed" if allowed else "denied")
    if not allowed:
        raise ApiError(404, "No such patient.")
    return user_by_id(patient_id)
