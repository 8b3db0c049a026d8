"""The CSV exports: Google Fit's ``Daily activity metrics.csv`` and the plain
``date,steps,active_minutes``, read a line at a time."""

import csv
import io
from datetime import date

from .exports import MAX_MINUTES, MAX_STEPS, DayFigures, ImportFailed, whole_number

PLAIN_HEADER = ["date", "steps", "active_minutes"]
#: Google Fit's columns, as Takeout names them; the others (calories, distance...) are ignored.
GOOGLE_FIT = {"date": "Date", "steps": "Step count", "minutes": "Move Minutes count"}
#: A value longer than this is not an export's.
MAX_FIELD = 1000
#: Nor a line longer than this (Google Fit's are some 150 characters): a file of one endless
#: line is refused before it is read whole.
MAX_LINE = 10_000


def header_of(head):
    """The first line of a CSV file's first bytes, as its column names (stripped), or None."""
    line = head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].rstrip(b"\r")
    try:
        return [name.strip() for name in next(csv.reader([line.decode("utf-8")]))]
    except (UnicodeDecodeError, StopIteration, csv.Error):
        return None


def is_plain(header):
    return [name.lower() for name in header] == PLAIN_HEADER


def is_google_fit(header):
    return GOOGLE_FIT["date"] in header and GOOGLE_FIT["steps"] in header


def read_plain(binary, tz, today, format_):
    """Rows of ``date,steps,active_minutes``: a date, then either figure or both."""
    return _read(binary, today, DayFigures(format_, "csv"), lambda header: (0, 1, 2))


def read_google_fit(binary, tz, today, format_):
    """Google Fit's daily metrics: ``Date``, ``Step count``, ``Move Minutes count``.

    Takeout writes a row for each day of the period, empty where nothing was counted: such a
    row is no day's figure.
    """

    def columns(header):
        minutes = header.index(GOOGLE_FIT["minutes"]) if GOOGLE_FIT["minutes"] in header else None
        return header.index(GOOGLE_FIT["date"]), header.index(GOOGLE_FIT["steps"]), minutes

    figures = DayFigures(format_, "google_fit", devices=["Google Fit"])
    return _read(binary, today, figures, columns, empty_rows=True)


def _read(binary, today, figures, columns, empty_rows=False):
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    rows = csv.reader(_lines(text))
    first_line = {}
    future = set()
    try:
        header = [name.strip() for name in next(rows)]
        at_date, at_steps, at_minutes = columns(header)
        for row in rows:
            where = f"Line {rows.line_num}"
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise ImportFailed(f"{where}: {len(row)} values, where the header names "
                                   f"{len(header)}.")  # fmt: skip
            if any(len(cell) > MAX_FIELD for cell in row):
                raise ImportFailed(f"{where}: a value of over {MAX_FIELD} characters.")
            day = _date(row[at_date], where)
            steps = whole_number(row[at_steps], "steps", where, MAX_STEPS)
            minutes = None
            if at_minutes is not None:
                minutes = whole_number(row[at_minutes], "active minutes", where, MAX_MINUTES)
            if steps is None and minutes is None:
                if empty_rows:
                    continue
                raise ImportFailed(f"{where}: neither steps nor active minutes.")
            if day in first_line:
                raise ImportFailed(f"{where}: {day.isoformat()} again (first on line "
                                   f"{first_line[day]}).")  # fmt: skip
            first_line[day] = rows.line_num
            if day > today:
                future.add(day)
            else:
                figures.days[day] = (steps, minutes)
    except UnicodeDecodeError:
        raise ImportFailed(f"Line {rows.line_num + 1}: the text is not UTF-8.") from None
    except csv.Error as error:
        raise ImportFailed(f"Line {rows.line_num}: the CSV is broken ({error}).") from None
    finally:
        text.detach()  # the caller's file stays open
    figures.future_days = len(future)
    return figures


def _lines(text):
    number = 0
    while line := text.readline(MAX_LINE):
        number += 1
        if len(line) == MAX_LINE and not line.endswith(("\n", "\r")):
            raise ImportFailed(f"Line {number}: over {MAX_LINE:,} characters, which no export has.")
        yield line


def _date(text, where):
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ImportFailed(f"{where}: {text[:40]!r} is not a date such as 2026-03-08.") from None
