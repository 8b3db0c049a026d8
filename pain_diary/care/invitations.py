"""Invitation codes: a patient makes one, one clinician redeems it within 72 hours for a link."""

import secrets
from datetime import timedelta

from sqlalchemy import select

from ..errors import ApiError
from ..extensions import db
from ..hashing import hash_secret
from ..types import utcnow
from .access import active_link
from .models import CareLink, Invitation

# No 0/O or 1/I/L: codes are read aloud and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
INVITATION_LIFETIME = timedelta(hours=72)


def code_hash(code):
    """Hash a code as typed: spaces around it, lower case and dashes do not count."""
    return hash_secret(code.strip().upper().replace("-", ""))


def invite(patient_id):
    """Add an invitation from the patient; return it with its code, which is stored only hashed."""
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    invitation = Invitation(
        patient_id=patient_id, code_hash=code_hash(code), expires_at=utcnow() + INVITATION_LIFETIME
    )
    db.session.add(invitation)
    return invitation, code


def redeem(code, clinician_id):
    """Use up the invitation with ``code`` for the clinician; return their link and if it is new.

    :raise 404: when the code is unknown, used or expired.
    """
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.code_hash == code_hash(code)).with_for_update()
    )
    if invitation is None or invitation.redeemed_at or invitation.expires_at <= utcnow():
        raise ApiError(
            404,
            "This code is unknown, used or expired; ask for a new one.",
            fields={"code": ["Unknown, used or expired."]},
        )
    invitation.redeemed_at = utcnow()
    return link_clinician(invitation.patient_id, clinician_id)


def link_clinician(patient_id, clinician_id):
    """Link the clinician to the patient unless linked; return the active link and if it is new."""
    existing = active_link(clinician_id, patient_id)
    if existing is not None:
        return existing, False
    new = CareLink(patient_id=patient_id, clinician_id=clinician_id)
    db.session.add(new)
    return new, True
