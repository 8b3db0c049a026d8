"""The patient's own data, all of it: JSON, or a zip of CSV files.

Each record is dumped with its collection's API schema, so an export reads exactly like the
API; the CSV columns are that schema's fields.
"""

import csv
import io
import json
import zipfile
from datetime import UTC, datetime

from sqlalchemy import select

from ..extensions import db
from ..sync.registry import registry

# A spreadsheet runs a cell starting with one of these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def exports():
    """The export's files, each of a collection, by name: every collection, in the order the
    record types were declared."""
    collections = registry().collections
    return {name.replace("-", "_"): collection for name, collection in collections.items()}


def patient_records(patient):
    """Every record of the patient by export name, oldest first: one query per file."""
    return {name: _oldest_first(collection, patient.id) for name, collection in exports().items()}


def _oldest_first(collection, patient_id):
    model = collection.model
    statement = (
        select(model)
        .where(model.patient_id == patient_id)
        .order_by(getattr(model, collection.sort_column), model.id)
    )
    return db.session.scalars(statement).all()


def everything(patient):
    """Every record of the patient, machine-readable."""
    document = {
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "patient": {
            "id": str(patient.id),
            "display_name": patient.display_name,
            "email": patient.email,
            "timezone": patient.timezone,
            "date_of_birth": patient.date_of_birth and patient.date_of_birth.isoformat(),
        },
    }
    files = exports()
    for name, rows in patient_records(patient).items():
        document[name] = files[name].schema.dump(rows, many=True)
    return document


def csv_zip(patient):
    """A zip with one CSV per record type."""
    exported_at = datetime.now(UTC)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        files, columns = exports(), {}
        for name, rows in patient_records(patient).items():
            schema = files[name].schema
            columns[name] = list(schema.dump_fields)
            text = _csv(columns[name], schema.dump(rows, many=True))
            archive.writestr(_member(f"{name}.csv", exported_at), text.encode("utf-8-sig"))
        readme = _readme(files, columns, exported_at)
        archive.writestr(_member("README.txt", exported_at), readme.encode("utf-8"))
    return buffer.getvalue()


def _member(filename, exported_at):
    member = zipfile.ZipInfo(filename, date_time=exported_at.timetuple()[:6])
    member.compress_type = zipfile.ZIP_DEFLATED
    return member


def _csv(columns, rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(column)) for column in columns])
    return out.getvalue()


def cell(value):
    """One CSV cell: nested values as compact JSON, free text defused against formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _readme(files, columns, exported_at):
    lines = [
        "Pain Diary export",
        f"Exported at {exported_at.isoformat(timespec='seconds')} (UTC).",
        "",
        "One CSV file per kind of record, UTF-8 (with a byte order mark, so spreadsheet programs "
        "read accents correctly), comma-separated, one header row.",
        "- Times are ISO 8601 in UTC (e.g. 2026-11-20T07:00:00+00:00); local_date is the "
        "calendar day in your timezone.",
        "- Lists and nested values (body_sites, qualities, tags, schedule) are compact JSON.",
        "- Empty cell: no value given.",
        "- A text cell that begins with =, +, -, @ or a tab has an apostrophe put in front, so "
        "that spreadsheet programs show it as text instead of running it as a formula.",
        "- id is the record's id; version counts its changes (1 = never edited).",
        "",
    ]
    for name, names in columns.items():
        lines += [f"{name}.csv", f"  {files[name].about}", f"  Columns: {', '.join(names)}", ""]
    return "\n".join(lines)
