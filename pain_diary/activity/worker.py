"""The worker's side of imports: claim a queued upload, read it, write its days at once.

Run by the worker process (``flask scheduler run``) every couple of seconds, never by a web
process. An import is claimed by one UPDATE that only a queued row matches, so two workers
started by mistake never both take one. The file is read from its chunks a block at a time;
the days, the import's result and the deletion of its chunks are then one transaction: a
failure anywhere writes no day, and a worker killed mid-way leaves the import to be taken up
again (``STALE``).
"""

import io
import logging
from datetime import timedelta

from sqlalchemy import select, update

from ..accounts.users import user_by_id
from ..errors import kind_and_frames
from ..extensions import db
from ..localtime import local_date
from ..types import utcnow
from .chunks import ChunkReader
from .days import write_days
from .exports import ImportFailed
from .models import ActivityImport
from .parsers import read_export
from .uploads import RECEIVING, delete_chunks, discard

log = logging.getLogger(__name__)

#: How often the worker process looks for queued imports (DESIGN §3: it starts within 5 s).
POLL_SECONDS = 2
#: A running import not finished after this long lost its worker (killed); another takes it up.
#: Reading a 1 GiB export takes minutes, not this.
STALE = timedelta(hours=1)
#: An upload still receiving after this long was cut off with its web worker: deleted.
ABANDONED = timedelta(hours=6)
#: Bytes read between two progress updates, each in a short transaction of its own.
PROGRESS_BYTES = 4 << 20
BUFFER_BYTES = 256 << 10
OUR_SIDE = "Something went wrong on our side while reading the file; nothing was written."


def run_queued_imports(app):
    """Import every queued upload, one after the other; the APScheduler job of the worker."""
    with app.app_context():
        try:
            while (claimed := claim_next()) is not None:
                run_import(*claimed)
            discard_abandoned()
        finally:
            db.session.remove()


def claim_next(now=None):
    """Take the oldest queued import (or one whose worker died): ``(id, claimed_at)`` or None."""
    now = now or utcnow()
    claimable = (ActivityImport.status == "queued") | (
        (ActivityImport.status == "running") & (ActivityImport.started_at < now - STALE)
    )
    candidates = db.session.scalars(
        select(ActivityImport.id).where(claimable).order_by(ActivityImport.created_at).limit(10)
    ).all()
    for import_id in candidates:
        # The compare-and-set: of two workers, only one sees its row change.
        claimed = db.session.execute(
            update(ActivityImport)
            .where(ActivityImport.id == import_id, claimable)
            .values(status="running", started_at=now, bytes_read=0)
        ).rowcount
        db.session.commit()
        if claimed:
            return import_id, now
    return None


def run_import(import_id, claimed_at):
    """Read the claimed import's chunks and write its days; the outcome is on its row."""
    record = db.session.get(ActivityImport, import_id)
    patient_id, tz = record.patient_id, user_by_id(record.patient_id).tz
    db.session.commit()
    reader = ChunkReader(import_id)
    progress = _Progress(import_id, claimed_at)

    def started(format_):
        progress.format = format_
        progress.save(0)
        reader.report_progress(progress)

    try:
        figures = read_export(
            io.BufferedReader(reader, BUFFER_BYTES), tz, local_date(utcnow(), tz), started
        )
        db.session.rollback()  # the reads' transaction: the writes start afresh
        written = write_days(patient_id, import_id, figures)
        finish(import_id, claimed_at, "done", figures.format, written, figures.devices)
    except ImportFailed as failure:
        db.session.rollback()
        finish(import_id, claimed_at, "failed", progress.format, error=str(failure))
    except Exception as error:
        db.session.rollback()
        log.error("import %s failed: %s\n%s", import_id, *kind_and_frames(error))
        finish(import_id, claimed_at, "failed", progress.format, error=OUR_SIDE)


def finish(import_id, claimed_at, status, format_, written=None, devices=None, error=None):
    """Record the outcome and delete the chunks, with the days written before it (one commit).

    A worker that finds the import taken up by another since (``STALE``) writes nothing.
    """
    values = {"status": status, "format": format_, "finished_at": utcnow(), "error": error}
    if status == "done":
        values |= {"days_written": written, "devices": devices, "bytes_read": ActivityImport.bytes}
    finished = db.session.execute(
        update(ActivityImport)
        .where(
            ActivityImport.id == import_id,
            ActivityImport.status == "running",
            ActivityImport.started_at == claimed_at,
        )
        .values(**values)
    ).rowcount
    if not finished:
        db.session.rollback()
        return
    delete_chunks(import_id)
    db.session.commit()


class _Progress:
    """Move ``bytes_read`` on every few MB, in a transaction of its own."""

    def __init__(self, import_id, claimed_at):
        self.import_id, self.claimed_at = import_id, claimed_at
        self.format = None
        self.reported = 0

    def __call__(self, byte):
        if byte - self.reported >= PROGRESS_BYTES:
            self.save(byte)

    def save(self, byte):
        self.reported = byte
        db.session.execute(
            update(ActivityImport)
            .where(
                ActivityImport.id == self.import_id, ActivityImport.started_at == self.claimed_at
            )
            .values(bytes_read=byte, format=self.format)
        )
        db.session.commit()


def discard_abandoned(now=None):
    """Delete the uploads whose web request died before the last chunk was in."""
    cut_off = (now or utcnow()) - ABANDONED
    abandoned = db.session.scalars(
        select(ActivityImport.id).where(
            ActivityImport.status == RECEIVING, ActivityImport.created_at < cut_off
        )
    ).all()
    for import_id in abandoned:
        discard(import_id)
