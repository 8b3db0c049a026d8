"""Care team API: invitations, links, revocation, and the audit trail."""

from flask import current_app
from flask.views import MethodView
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import or_, select

from ..accounts.auth import clinician_required, login_required, patient_required
from ..errors import ApiError
from ..extensions import db, limiter
from ..paging import page
from ..throttle import failed_with
from ..types import utcnow
from . import invitations
from .models import AuditEvent, CareLink
from .schemas import (
    AuditEventPageSchema,
    AuditQuerySchema,
    CareLinkSchema,
    InvitationSchema,
    RedeemSchema,
)

bp = Blueprint("care", __name__, url_prefix="/api/v1", description="Care team and audit.")


def _redeemer_key():
    # The limiter runs before clinician_required: an anonymous caller is counted by address.
    return f"redeem:{current_user.get_id() or get_remote_address()}"


@bp.route("/care-team/invitations")
class Invitations(MethodView):
    decorators = [patient_required]

    @bp.response(201, InvitationSchema)
    def post(self):
        """Create a single-use code (valid 72 hours) to give to a clinician."""
        invitation, code = invitations.invite(current_user.id)
        db.session.commit()
        return {"code": code, "expires_at": invitation.expires_at}


@bp.route("/care-team/links")
class Links(MethodView):
    decorators = [
        clinician_required,
        limiter.limit(
            lambda: current_app.config["INVITATION_LIMIT"], deduct_when=failed_with(404),
            key_func=_redeemer_key,
        ),
    ]  # fmt: skip

    @bp.arguments(RedeemSchema)
    @bp.response(201, CareLinkSchema)
    @bp.alt_response(200, schema=CareLinkSchema, description="Already linked: the existing link.")
    def post(self, data):
        """Redeem a patient's invitation code; the link lets you read their diary."""
        link, created = invitations.redeem(data["code"], current_user.id)
        db.session.commit()
        return link, 201 if created else 200


@bp.route("/care-team")
class CareTeam(MethodView):
    decorators = [login_required]

    @bp.response(200, CareLinkSchema(many=True))
    def get(self):
        """Your active links: a patient's clinicians, or a clinician's patients."""
        return db.session.scalars(
            select(CareLink)
            .where(_own_links(), CareLink.revoked_at.is_(None))
            .order_by(CareLink.created_at)
        ).all()


@bp.route("/care-team/<uuid:link_id>")
class CareTeamLink(MethodView):
    decorators = [login_required]

    @bp.response(204)
    def delete(self, link_id):
        """Revoke a link (either side); reads stop at once."""
        link = db.session.scalar(select(CareLink).where(CareLink.id == link_id, _own_links()))
        if link is None:
            raise ApiError(404, "No such link.")
        link.revoked_at = link.revoked_at or utcnow()
        db.session.commit()


def _own_links():
    return or_(CareLink.patient_id == current_user.id, CareLink.clinician_id == current_user.id)


@bp.route("/audit-events")
class AuditEvents(MethodView):
    decorators = [login_required]

    @bp.arguments(AuditQuerySchema, location="query")
    @bp.response(200, AuditEventPageSchema)
    def get(self, query):
        """Patients: who read your diary and when. Clinicians: your own reads. Newest first."""
        mine = AuditEvent.actor_id if current_user.is_clinician else AuditEvent.patient_id
        statement = select(AuditEvent).where(mine == current_user.id)
        if "before" in query:
            statement = statement.where(AuditEvent.at < query["before"])
        return page(statement, AuditEvent.at, AuditEvent.id, query)
