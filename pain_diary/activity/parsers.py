"""Tell an export's format from its first bytes, and read its days (DESIGN §3 Activity imports).

Every reader takes a binary file (the upload's chunks, or a file on disk) and keeps no more of it
in memory than the block it is reading.
"""

import zipfile
import zlib

from .apple_health import read_apple_health
from .csv_exports import header_of, is_google_fit, is_plain, read_google_fit, read_plain
from .exports import ImportFailed

KNOWN = (
    "This is not an export we know: send Apple Health's export.zip or export.xml, Google Fit's "
    "Daily activity metrics.csv, or a CSV file with the header date,steps,active_minutes."
)
#: A zip's export.xml may be this many times the zip's size: Apple's compress some 20 times.
MAX_UNZIPPED_RATIO = 100
HEAD_BYTES = 4096


def read_export(binary, tz, today, started=lambda format_: None):
    """The days of the export in ``binary``; ``started(format)`` once it is recognised.

    :raise ImportFailed: a format we do not know, or a file broken or out of range somewhere.
    """
    head = binary.read(HEAD_BYTES)
    binary.seek(0)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _read_zip(binary, tz, today, started)
    if head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        started("apple_health_xml")
        return read_apple_health(binary, tz, today, "apple_health_xml")
    header = header_of(head)
    if header and is_plain(header):
        started("csv")
        return read_plain(binary, tz, today, "csv")
    if header and is_google_fit(header):
        started("google_fit_csv")
        return read_google_fit(binary, tz, today, "google_fit_csv")
    raise ImportFailed(KNOWN)


def export_xml(names):
    """Apple Health's export.xml among a zip's members (not export_cda.xml), or None."""
    if "apple_health_export/export.xml" in names:
        return "apple_health_export/export.xml"
    return next((name for name in names if name == "export.xml"
                 or name.endswith("/export.xml")), None)  # fmt: skip


def _read_zip(binary, tz, today, started):
    try:
        archive = zipfile.ZipFile(binary)
        member = export_xml(archive.namelist())
        if member is None:
            raise ImportFailed(
                "The zip has no apple_health_export/export.xml: send the export.zip that the "
                "Health app's Export All Health Data makes."
            )
        size = binary.seek(0, 2)
        xml = _Limited(archive.open(member), max(size * MAX_UNZIPPED_RATIO, 1 << 30), member)
        started("apple_health_zip")
        with xml:
            return read_apple_health(xml, tz, today, "apple_health_zip")
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
        raise ImportFailed(f"The zip is broken: {error}.") from None


class _Limited:
    """A zip member read with a bound on what it unpacks to, against zip bombs."""

    def __init__(self, member, limit, name):
        self.member, self.limit, self.name, self.count = member, limit, name, 0

    def read(self, size):
        data = self.member.read(size)
        self.count += len(data)
        if self.count > self.limit:
            raise ImportFailed(
                f"{self.name} unpacks to over {self.limit:,} bytes, {MAX_UNZIPPED_RATIO} times "
                "the zip: more than an export holds."
            )
        return data

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.member.close()
