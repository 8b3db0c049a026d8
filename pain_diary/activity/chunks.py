"""An upload as one seekable file, read from its chunks in the database on demand.

A zip's directory sits at its end and each member is found by seeking, so the worker needs a
file it can seek in without having the upload on a disk of its own. The reader fetches a chunk
when a read reaches it and keeps the last few (a zip reads its directory at the end, then goes
back to the member's start): memory stays at a few chunks whatever the file's size.
"""

import bisect
import io
from collections import OrderedDict

from sqlalchemy import func, select

from ..extensions import db
from .models import ActivityImportChunk

#: Chunks kept in memory: the one being read, and the few a zip seeks back and forth between.
KEEP = 4


class ChunkReader(io.RawIOBase):
    """The chunks of import ``import_id`` as one read-only, seekable file."""

    def __init__(self, import_id):
        super().__init__()
        self.import_id = import_id
        self.on_progress = None
        sizes = db.session.execute(
            select(ActivityImportChunk.seq, func.length(ActivityImportChunk.data))
            .where(ActivityImportChunk.import_id == import_id)
            .order_by(ActivityImportChunk.seq)
        ).all()
        self.seqs = [seq for seq, _ in sizes]
        #: Where each chunk starts in the file.
        self.starts = []
        offset = 0
        for _, size in sizes:
            self.starts.append(offset)
            offset += size
        self.size = offset
        self.position = 0
        self.furthest = 0
        self.kept = OrderedDict()

    def report_progress(self, on_progress):
        """From now on, tell ``on_progress(byte)`` each time a read reaches a chunk further on.

        Called once the reading proper starts: a zip's first reads are its directory, at the end.
        """
        self.on_progress = on_progress
        self.furthest = 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self.position

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self.position = base + offset
        return self.position

    def readinto(self, buffer):
        if self.position >= self.size or not len(buffer):
            return 0
        index = bisect.bisect_right(self.starts, self.position) - 1
        data = self._chunk(index)
        start = self.position - self.starts[index]
        count = min(len(buffer), len(data) - start)
        buffer[:count] = data[start : start + count]
        self.position += count
        return count

    def _chunk(self, index):
        if index in self.kept:
            self.kept.move_to_end(index)
            return self.kept[index]
        data = db.session.scalar(
            select(ActivityImportChunk.data).where(
                ActivityImportChunk.import_id == self.import_id,
                ActivityImportChunk.seq == self.seqs[index],
            )
        )
        self.kept[index] = data
        if len(self.kept) > KEEP:
            self.kept.popitem(last=False)
        end = self.starts[index] + len(data)
        if end > self.furthest:
            self.furthest = end
            if self.on_progress is not None:
                self.on_progress(end)
        return data
