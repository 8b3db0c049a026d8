"""``flask activity import FILE --email E``: an export imported from the command line.

For an operator with a patient's file on disk: the same reading as the worker's (streamed from
the file), the days written at once, the result printed. The import is recorded like an upload's,
so each day names the import that wrote it.
"""

import click
from flask.cli import AppGroup

from ..accounts.users import user_by_email
from ..extensions import db
from ..localtime import local_date
from ..types import utcnow
from .days import write_days
from .exports import ImportFailed
from .models import ActivityImport
from .parsers import read_export

activity_cli = AppGroup("activity", help="Import patients' activity exports.")


@activity_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--email", required=True, help="The patient whose days they are.")
def import_command(path, email):
    """Import an Apple Health, Google Fit or plain CSV export for the patient EMAIL."""
    user = user_by_email(email)
    if user is None or user.role != "patient":
        raise click.ClickException(f"no patient has the email {email}")
    record = ActivityImport(patient_id=user.id, status="running", started_at=utcnow())
    record.filename = click.format_filename(path, shorten=True)[:255]
    with open(path, "rb") as binary:
        record.bytes = binary.seek(0, 2)
        binary.seek(0)
        db.session.add(record)
        db.session.flush()
        try:
            figures = read_export(binary, user.tz, local_date(utcnow(), user.tz))
        except ImportFailed as failure:
            record.status, record.error, record.finished_at = "failed", str(failure), utcnow()
            db.session.commit()
            raise click.ClickException(str(failure)) from None
    written = write_days(user.id, record.id, figures)
    record.status, record.format, record.finished_at = "done", figures.format, utcnow()
    record.bytes_read, record.days_written, record.devices = record.bytes, written, figures.devices
    db.session.commit()
    click.echo(
        f"{figures.format}: {len(figures.days)} days read, {written} written or changed"
        + (f", {figures.future_days} after today left out" if figures.future_days else "")
        + (f"; sources: {', '.join(figures.devices)}" if figures.devices else "")
    )
