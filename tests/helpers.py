"""Assertions and values the feature tests share."""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import event


def assert_invalid(response, field):
    """A 422 in the error shape that names ``field`` and nothing else."""
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error["status"] == 422
    assert error["code"] == "validation_error"
    assert isinstance(error["message"], str) and error["message"]
    assert list(error["fields"]) == [field], error["fields"]
    messages = error["fields"][field]
    assert messages and all(isinstance(message, str) and message for message in messages)


def in_minutes(minutes):
    """An ISO instant ``minutes`` from now (negative: in the past)."""
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


@contextmanager
def recorded_statements(engine):
    """Collect ``(statement, parameters)`` of every SQL statement ``engine`` runs in the block."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
