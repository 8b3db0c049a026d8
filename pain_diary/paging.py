"""Opaque keyset cursors shared by every list: a page ends at (sort value, id), newest first.

A cursor names the last row a page gave; the next page starts just after it, so rows written
meanwhile neither repeat nor shift the pages, and the database reads its index in order.
"""

import base64
import binascii
import json
import uuid
from datetime import UTC, date, datetime

from sqlalchemy import tuple_

from .errors import ApiError
from .extensions import db


def encode_cursor(sort_value, row_id):
    raw = json.dumps([sort_value.isoformat(), str(row_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor, sort):
    """The (sort value, id) a cursor names, typed as ``sort`` (a column); 422 if it is not ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        sort_text, id_text = json.loads(raw)
        # A TypeDecorator (UTCDateTime) reports ``object``; the type it wraps knows better.
        python_type = getattr(sort.type, "impl", sort.type).python_type
        if python_type is datetime:
            value = datetime.fromisoformat(sort_text).astimezone(UTC)
        elif python_type is date:
            value = date.fromisoformat(sort_text)
        else:
            raise ValueError(python_type)
        return value, uuid.UUID(id_text)
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(
            422, "The cursor is not one this server gave.", fields={"cursor": ["Invalid cursor."]}
        ) from None


def after_cursor(cursor, sort, row_id):
    """The condition for rows after ``cursor`` in the order (``sort`` desc, ``row_id`` desc)."""
    last_sort, last_id = decode_cursor(cursor, sort)
    # A row value rather than "sort < s OR (sort = s AND id < i)": SQLite and PostgreSQL then
    # start the index scan at the cursor instead of reading every newer row to skip it.
    return tuple_(sort, row_id) < tuple_(last_sort, last_id)


def page(statement, sort, row_id, query):
    """One page of ``statement``, newest first by (``sort``, ``row_id``), and the next cursor.

    ``query`` has ``limit`` and may have the ``cursor`` of the page before; one row more than the
    page is read to tell whether another follows.
    """
    if "cursor" in query:
        statement = statement.where(after_cursor(query["cursor"], sort, row_id))
    limit = query["limit"]
    statement = statement.order_by(sort.desc(), row_id.desc()).limit(limit + 1)
    rows = db.session.scalars(statement).unique().all()
    if len(rows) <= limit:
        return {"items": rows, "next_cursor": None}
    last = rows[limit - 1]
    return {"items": rows[:limit], "next_cursor": encode_cursor(getattr(last, sort.key), last.id)}
