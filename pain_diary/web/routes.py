"""The web app's pages, the API documentation and the health probes.

Pages are server-rendered shells; their small ES modules read and write through the JSON API
with the session cookie and ``X-CSRFToken``, exactly as any other client does.
"""

import unicodedata
from datetime import datetime, timedelta
from functools import wraps

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..accounts.auth import sign_out
from ..accounts.users import iana_timezones
from ..analytics.mme import CONVERSION_FACTORS
from ..care.access import readable_patient
from ..extensions import csrf, db
from ..insights.reading import report_context
from ..reminders.inbox import unread_count
from ..sync.registry import any_of, registry
from .words import label, words


def history_kinds():
    """History's "Show" choices after "All": (``?show=`` value, words, the collection it lists)."""
    return registry().parts("history")


PERIODS = (7, 30, 90, 365)  # the days Trends and the clinic summary offer
DEFAULT_DAYS = 30
#: The menu of a signed-in patient by endpoint, the record types' pages added (patient_menu).
PATIENT_MENU = (
    ("web.today", "Today"), ("web.history", "History"), ("web.trends", "Trends"),
    ("web.medications", "Medications"), ("web.reminders", "Reminders"),
    ("web.care_team", "Care team"), ("web.export", "Export"), ("web.settings", "Settings"),
)  # fmt: skip
CLINICIAN_MENU = (("web.clinic", "Patients"),)
#: The in-app inbox: linked from the bar of every patient page, with the unread count.
INBOX = "web.notifications"

bp = Blueprint("web", __name__)


@bp.record_once
def declare_record_types(state):
    """``editable`` (what History lists opens in an edit page), the record types' own pages."""
    declared = registry(state.app)
    editable = [collection for _, _, collection in declared.parts("history")]
    state.app.url_map.converters["editable"] = any_of(editable)
    for own in declared.parts("pages"):
        view = template_page(own.endpoint, "patient", own.template, title=own.title)
        state.add_url_rule(own.path, own.endpoint, view)


def template_page(endpoint, role, template, **context):
    """The view of a page that is its template alone: its script reads the rest from the API."""

    @page(role)
    def view():
        return render_template(template, **context)

    view.__name__ = endpoint
    return view


def patient_menu():
    """The menu (the service worker keeps its pages), each record type's own after History."""
    declared = tuple((f"{bp.name}.{p.endpoint}", p.title) for p in registry().parts("pages"))
    return PATIENT_MENU[:2] + declared + PATIENT_MENU[2:]


@bp.app_context_processor
def page_context():
    return {
        "words": words(), "patient_menu": patient_menu(), "clinician_menu": CLINICIAN_MENU,
        "inbox": INBOX, "inbox_unread": inbox_unread,
    }  # fmt: skip


def inbox_unread():
    """The signed-in patient's unread reminders for the bar; None when the database cannot say.

    Called by base.html, so only pages with the bar pay for it; an error page shown because the
    database is down still renders.
    """
    try:
        return unread_count(current_user.id)
    except SQLAlchemyError:
        return None


def home_for(user):
    return url_for("web.clinic" if user.is_clinician else "web.today")


def page(role):
    """A page for a signed-in ``role``: others are sent to sign in, or to their own home."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
            if current_user.role != role:
                return redirect(home_for(current_user))
            return view(*args, **kwargs)

        return wrapped

    return decorator


def safe_next(target):
    """Only a path on this site (DESIGN.md §6), else None.

    ``//elsewhere`` or a full URL would send the user away; so would a backslash, which browsers
    read as ``/``, and a tab or newline, which they strip (``/%09/elsewhere`` is ``//elsewhere``).
    No control character belongs in a path, and a newline cannot go in a header at all.
    """
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(unicodedata.category(c) == "Cc" for c in target)
    ):
        return target
    return None


def asked_period(tz):
    """The period ``?days=`` asks for (one of PERIODS, else the default), ending today in ``tz``.

    :return: ``(days, first_day, last_day)``.
    """
    days = request.args.get("days", DEFAULT_DAYS, type=int)
    days = days if days in PERIODS else DEFAULT_DAYS
    last_day = datetime.now(tz).date()
    return days, last_day - timedelta(days=days - 1), last_day


def period_page(template):
    """A patient's page of one period; it is set here too, so its links work without the script."""
    days, first_day, last_day = asked_period(current_user.tz)
    return render_template(
        template, periods=PERIODS, default_days=DEFAULT_DAYS, days=days,
        period={"from": first_day, "to": last_day},
    )  # fmt: skip


@bp.get("/")
def index():
    """What the app is; a signed-in user goes straight to their home page."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return render_template("index.html")


@bp.get("/signup")
def signup():
    """Create an account; the browser's time zone is preset by the page's script."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return render_template("signup.html", timezones=sorted(iana_timezones()))


@bp.get("/login")
def login():
    """Sign in, then go on to the page that asked for it."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or home_for(current_user))
    return render_template("login.html", next=safe_next(request.args.get("next")))


@bp.post("/logout")
def logout():
    """Sign out from a plain form, so it works before any script has loaded.

    The page's script adds the browser's push endpoint (``push_endpoint``): its subscription goes.
    """
    csrf.protect()
    if current_user.is_authenticated:
        sign_out(request.form.get("push_endpoint"))
        db.session.commit()
    return redirect(url_for("web.login"))


#: The pages that are their template alone, ``pages/<endpoint>.html``: (path, endpoint, role).
TEMPLATE_PAGES = (
    # The one-screen check-in, today's doses, last night's sleep and a therapy session.
    ("/today", "today", "patient"),
    # The in-app inbox: reminders newest first, a dose answered right there, the others linked.
    ("/notifications", "notifications", "patient"),
    # Reminder rules and quiet hours.
    ("/reminders", "reminders", "patient"),
    # Invitation codes, who has access, and who read what.
    ("/care-team", "care_team", "patient"),
    # The clinician's patients, those needing attention first; redeem an invitation code.
    ("/clinic", "clinic", "clinician"),
)
for path, endpoint, role in TEMPLATE_PAGES:
    bp.add_url_rule(path, endpoint, template_page(endpoint, role, f"pages/{endpoint}.html"))


@bp.get("/history")
@page("patient")
def history():
    """Entries by local day, newest first, each with edit and delete; ``?show=`` one kind."""
    show = request.args.get("show")
    kinds = history_kinds()
    show = show if show in {kind for kind, _, _ in kinds} else "all"
    return render_template("pages/history.html", kinds=kinds, show=show)


@bp.get("/history/<editable:collection>/<uuid:record_id>")
@page("patient")
def edit(collection, record_id):
    """One entry in the form it was logged with; the page's script loads it by id."""
    return render_template("pages/edit.html", collection=collection, record_id=record_id)


@bp.get("/trends")
@page("patient")
def trends():
    """The charts for 7, 30, 90 or 365 days and the headline figures in words."""
    return period_page("pages/trends.html")


@bp.get("/medications")
@page("patient")
def medications():
    """Medications and their schedules; an opioid is named by its key of the MME table."""
    ingredients = sorted(((key, label(key)) for key in CONVERSION_FACTORS), key=lambda kv: kv[1])
    return render_template("pages/medications.html", ingredients=ingredients)


@bp.get("/export")
@page("patient")
def export():
    """The diary as JSON, CSV, FHIR or PDF (the PDF for one of the Trends periods)."""
    return period_page("pages/export.html")


@bp.get("/settings")
@page("patient")
def settings():
    """Profile, time zone and password."""
    return render_template("pages/settings.html", timezones=sorted(iana_timezones()))


@bp.get("/clinic/patients/<uuid:patient_id>")
@page("clinician")
def clinic_patient(patient_id):
    """A linked patient's summary with its charts (audited).

    :raise 404: without an active link, exactly as the API answers.
    """
    patient = readable_patient(patient_id, "clinic/summary")
    days, first_day, last_day = asked_period(patient.tz)
    context = report_context(patient, {"from_": first_day, "to": last_day})
    return render_template("pages/clinic_patient.html", days=days, periods=PERIODS, **context)


@bp.get("/api/docs")
def api_docs():
    """Swagger UI for the OpenAPI document, from local assets only."""
    return render_template("api_docs.html")


@bp.get("/healthz")
def healthz():
    """The process is alive."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """The database answers; otherwise 503 in the error shape."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok", "database": "ok"}
