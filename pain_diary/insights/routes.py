"""Summaries, charts, reports and exports: the patient's own, and a linked clinician's view."""

from datetime import UTC, datetime

from flask import Response, current_app, json, jsonify, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from .. import charts
from ..accounts.auth import clinician_required, patient_required
from ..care.access import readable_patient
from ..extensions import api
from ..sync.registry import any_of, registry
from . import dashboard, export, fhir, pdf, report
from .diary import load_diary
from .reading import chart_parts, marked, report_context, summary_of
from .schemas import DashboardRowSchema, ExportQuerySchema, PeriodQuerySchema, summary_schema
from .summary import flag_thresholds, period

bp = Blueprint("insights", __name__, url_prefix="/api/v1", description="Summaries and exports.")

SVG = "image/svg+xml"
PDF = "application/pdf"
HTML = "text/html"
JSON = "application/json"
ZIP = "application/zip"
FHIR = "application/fhir+json"


def file_response(description, *content_types):
    """Document a 200 answer that is a document (SVG, PDF, HTML, zip) rather than a schema."""
    content = {
        kind: {"schema": {"type": "object" if kind.endswith("json") else "string"}}
        for kind in content_types
    }
    return bp.doc(responses={"200": {"description": description, "content": content}})


def period_route(rule, access):
    """Route ``rule`` for the callers ``access`` lets in, with a period in the query string."""

    def decorator(view):
        return bp.route(rule)(access(bp.arguments(PeriodQuerySchema, location="query")(view)))

    return decorator


# Only the charts the record types declare match: another name is a 404 from routing, before any
# view (and its access check and audit event) runs, and the OpenAPI document lists them as an enum.
CHART_NAME = "<chart:name>"


#: The summary's schema has a section per record type, so each app builds its own.
SUMMARY = "Summary"


@bp.record_once
def declare_record_types(state):
    """The chart names the routes match, and the summary's schema, of the app's record types."""
    declared = registry(state.app)
    names = [chart.name for chart in declared.parts("charts")]
    state.app.url_map.converters["chart"] = any_of(names)
    schema = summary_schema(declared.record_types.values())
    state.app.extensions[f"{__name__}.summary"] = schema()
    api.spec.components.schema(SUMMARY, schema=schema)


def _summary(patient, query):
    summary = summary_of(patient, query)[1]
    return jsonify(current_app.extensions[f"{__name__}.summary"].dump(summary))


def _chart(patient, name, query):
    first_day, last_day = period(query, patient.tz)
    chart = {chart.name: chart for chart in registry().parts("charts")}[name]
    diary = marked(load_diary(patient, first_day, last_day, parts=chart_parts(chart)))
    svg = charts.render_chart(chart, diary, locale=request.accept_languages.best, screen=True)
    response = Response(svg, mimetype=SVG)
    response.headers["Cache-Control"] = "no-store"
    response.add_etag()
    return response.make_conditional(request)


def _report(patient, query, as_pdf):
    html = report.render_page(report_context(patient, query, paper=True, png=as_pdf))
    if not as_pdf:
        return Response(html, mimetype=HTML)
    response = Response(pdf.html_to_pdf(html), mimetype=PDF)
    response.headers["Content-Disposition"] = 'inline; filename="pain-diary-summary.pdf"'
    return response


# The patient's own -------------------------------------------------------------------------


@period_route("/summary", patient_required)
@bp.response(200, SUMMARY)
def own_summary(query):
    """Your summary for a period (default: the last 30 days)."""
    return _summary(current_user, query)


@period_route("/summary.html", patient_required)
@file_response("The printable summary page.", HTML)
def own_summary_html(query):
    """Your summary as a printable page."""
    return _report(current_user, query, as_pdf=False)


@period_route("/summary.pdf", patient_required)
@file_response("The summary as a two-page PDF.", PDF)
def own_summary_pdf(query):
    """Your summary as a PDF."""
    return _report(current_user, query, as_pdf=True)


@period_route(f"/charts/{CHART_NAME}.svg", patient_required)
@file_response("The chart; ETag for conditional requests.", SVG)
@bp.alt_response(304, description="Not modified since the ETag you sent.")
def own_chart(query, name):
    """One of your charts (pain, sleep, adherence, therapy) as SVG."""
    return _chart(current_user, name, query)


@bp.route("/export")
@patient_required
@bp.arguments(ExportQuerySchema, location="query")
@file_response("JSON for format=json or fhir; a zip of CSV files for format=csv.", JSON, ZIP)
def own_export(query):
    """Everything you logged: JSON, CSV (a zip, one file per record type) or a FHIR R4 Bundle."""
    if query["format"] == "csv":
        response = Response(export.csv_zip(current_user), mimetype=ZIP)
        response.headers["Content-Disposition"] = 'attachment; filename="pain-diary-csv.zip"'
        return response
    document = fhir.patient_bundle(current_user) if query["format"] == "fhir" else (
        export.everything(current_user)
    )  # fmt: skip
    return Response(json.dumps(document), mimetype=JSON)


# A linked clinician's view (every request audited) ----------------------------------------


@bp.route("/patients")
class Patients(MethodView):
    decorators = [clinician_required]

    @bp.response(200, DashboardRowSchema(many=True))
    def get(self):
        """Your linked patients, those needing attention first (each listing is audited)."""
        return dashboard.rows(current_user, datetime.now(UTC), flag_thresholds(current_app.config))


@period_route("/patients/<uuid:patient_id>/summary", clinician_required)
@bp.response(200, SUMMARY)
def patient_summary(query, patient_id):
    """A linked patient's summary (audited)."""
    return _summary(readable_patient(patient_id, "summary"), query)


@period_route("/patients/<uuid:patient_id>/summary.html", clinician_required)
@file_response("The printable summary page.", HTML)
def patient_summary_html(query, patient_id):
    """A linked patient's summary as a printable page (audited)."""
    return _report(readable_patient(patient_id, "summary.html"), query, as_pdf=False)


@period_route("/patients/<uuid:patient_id>/summary.pdf", clinician_required)
@file_response("The summary as a two-page PDF.", PDF)
def patient_summary_pdf(query, patient_id):
    """A linked patient's summary as a PDF (audited)."""
    return _report(readable_patient(patient_id, "summary.pdf"), query, as_pdf=True)


@period_route(f"/patients/<uuid:patient_id>/charts/{CHART_NAME}.svg", clinician_required)
@file_response("The chart; ETag for conditional requests.", SVG)
@bp.alt_response(304, description="Not modified since the ETag you sent.")
def patient_chart(query, patient_id, name):
    """One of a linked patient's charts as SVG (audited)."""
    return _chart(readable_patient(patient_id, f"charts/{name}"), name, query)


@bp.route("/patients/<uuid:patient_id>/fhir")
@clinician_required
@file_response("A FHIR R4 Bundle.", FHIR)
def patient_fhir(patient_id):
    """A linked patient's diary as a FHIR R4 collection Bundle (audited)."""
    bundle = fhir.patient_bundle(readable_patient(patient_id, "fhir"))
    return Response(json.dumps(bundle), mimetype=FHIR)
