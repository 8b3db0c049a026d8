"""Receive an export: the multipart body streamed into the database, a chunk at a time.

The web process neither parses the file nor keeps it: the ``file`` part's bytes go from the
socket into ``activity_import_chunks`` (1 MiB rows, each in a short transaction of its own, so
that a long upload never holds SQLite's write lock), whatever machine the worker runs on. A
thread of the request writes the chunks while the request reads the next ones from the socket
(at most a few chunks wait between them): the database's writes, not the parse, are most of an
upload's time. Until the last chunk is in, the import is ``receiving`` and the worker leaves it
alone; an upload that fails or goes over the limit deletes what it stored.
"""

import queue
import threading

from flask import current_app
from sqlalchemy import delete, update
from werkzeug.exceptions import ClientDisconnected
from werkzeug.sansio.multipart import Data, Epilogue, File, MultipartDecoder, NeedData

from ..errors import ApiError
from ..extensions import db
from ..types import utcnow
from .models import ActivityImport, ActivityImportChunk

#: The size of a stored chunk: a few of them are all the worker keeps in memory.
CHUNK_BYTES = 1 << 20
#: What one read from the socket takes.
READ_BYTES = 64 << 10
#: An import's status while its bytes arrive; the API never shows one (its id is not out yet).
RECEIVING = "receiving"
#: Room for the multipart envelope (boundaries, part headers) around the file itself.
ENVELOPE_BYTES = 64 << 10
FIELD = "file"


def too_large(limit):
    return ApiError(413, f"The file is larger than the {limit:,} bytes an import may have.")


def receive(patient_id, stream, boundary, limit):
    """Store the ``file`` part of a multipart body as a queued import, and return it.

    :raise ApiError: 413 past ``limit`` bytes of file, 400 for a body without a ``file`` part
        or cut short; nothing is kept either way.
    """
    record = ActivityImport(patient_id=patient_id, status=RECEIVING)
    db.session.add(record)
    db.session.commit()
    import_id = record.id
    try:
        filename, size = _store(import_id, _file_part(stream, boundary), limit)
    except BaseException:
        db.session.rollback()
        discard(import_id)
        raise
    db.session.execute(
        update(ActivityImport)
        .where(ActivityImport.id == import_id)
        .values(status="queued", filename=filename[:255] or None, bytes=size, created_at=utcnow())
    )
    db.session.commit()
    return db.session.get(ActivityImport, import_id)


def discard(import_id):
    """Delete an upload and its chunks."""
    delete_chunks(import_id)
    db.session.execute(delete(ActivityImport).where(ActivityImport.id == import_id))
    db.session.commit()


def delete_chunks(import_id):
    """Delete the upload's bytes (explicitly: no cascade to count on, on any database)."""
    chunks = ActivityImportChunk
    db.session.execute(delete(chunks).where(chunks.import_id == import_id))


def _store(import_id, pieces, limit):
    filename = next(pieces, None)
    if filename is None:
        raise ApiError(400, "Send the export as the multipart field 'file'.", fields={FIELD: [
            "Missing data for required field."
        ]})  # fmt: skip
    writer = _ChunkWriter(current_app._get_current_object(), import_id)
    try:
        size, pending = 0, bytearray()
        for piece in pieces:
            size += len(piece)
            if size > limit:
                raise too_large(limit)
            pending += piece
            while len(pending) >= CHUNK_BYTES:
                writer.put(bytes(memoryview(pending)[:CHUNK_BYTES]))
                del pending[:CHUNK_BYTES]
        if pending:
            writer.put(bytes(pending))
    finally:
        writer.close()
    return filename, size


class _ChunkWriter:
    """Writes an upload's chunks in order, in a thread of its own with its own session."""

    #: Chunks read and not yet written: what the upload holds in memory at the most.
    WAITING = 2
    _END = None

    def __init__(self, app, import_id):
        self.app, self.import_id = app, import_id
        self.chunks = queue.Queue(self.WAITING)
        self.error = None
        self.thread = threading.Thread(target=self._write_all, name="upload-writer")
        self.thread.start()

    def put(self, data):
        self._raise_its_error()
        self.chunks.put(data)

    def close(self):
        """Wait for the chunks read so far to be written; raise what stopped the writer."""
        self.chunks.put(self._END)
        self.thread.join()
        self._raise_its_error()

    def _raise_its_error(self):
        if self.error is not None:
            raise self.error

    def _write_all(self):
        with self.app.app_context():
            seq = 0
            while (data := self.chunks.get()) is not self._END:
                if self.error is None:
                    try:
                        _write_chunk(self.import_id, seq, data)
                    except Exception as error:  # the request raises it; later chunks are dropped
                        db.session.rollback()
                        self.error = error
                seq += 1


def _write_chunk(import_id, seq, data):
    db.session.add(ActivityImportChunk(import_id=import_id, seq=seq, data=data))
    db.session.commit()
    db.session.expunge_all()  # the chunk's bytes leave memory with it


def _file_part(stream, boundary):
    """Yield the ``file`` part's filename, then its bytes piece by piece; other parts are skipped.

    :raise ApiError: 400 when the body ends before its closing boundary or is not multipart.
    """
    decoder = MultipartDecoder(boundary, max_form_memory_size=4 * READ_BYTES)
    in_file = found = False
    while True:
        try:
            event = decoder.next_event()
        except ValueError:
            raise ApiError(400, "The upload ended before the whole file arrived.") from None
        if isinstance(event, NeedData):
            try:
                data = stream.read(READ_BYTES)
            except ClientDisconnected:
                raise ApiError(400, "The upload ended before the whole file arrived.") from None
            decoder.receive_data(data or None)
        elif isinstance(event, File) and event.name == FIELD and not found:
            in_file = found = True
            yield event.filename or ""
        elif isinstance(event, Data):
            if in_file and event.data:
                yield event.data
            in_file = in_file and event.more_data
        elif isinstance(event, Epilogue):
            return
