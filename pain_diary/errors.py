"""One JSON error shape for every error, 4xx and 5xx alike.

{"error": {"status": 422, "code": "validation_error", "message": "...",
           "fields": {"intensity": ["Must be between 0 and 10."]}}}
"""

import logging
import traceback

import marshmallow as ma
from flask import Flask, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db

log = logging.getLogger(__name__)

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}


def kind_and_frames(error):
    """What a log may say of ``error``: its kind and its frames, never its message, which can
    quote health data (a note, a value; DESIGN §6)."""
    return type(error).__name__, "".join(traceback.format_tb(error.__traceback__))


class App(Flask):
    """Flask, logging unhandled errors by kind and place, never by message."""

    def log_exception(self, exc_info):
        kind, frames = kind_and_frames(exc_info[1])
        rule = request.url_rule.rule if request.url_rule else request.path
        self.logger.error("unhandled %s at %s %s\n%s", kind, request.method, rule, frames)


class ErrorBodySchema(ma.Schema):
    status = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    message = ma.fields.String(required=True)
    fields = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()))
    current = ma.fields.Dict(metadata={"description": "The stored record, on a version conflict"})
    existing_id = ma.fields.String(metadata={"description": "The record this one clashes with"})


class ErrorSchema(ma.Schema):
    error = ma.fields.Nested(ErrorBodySchema, required=True)


class ApiError(Exception):
    """A domain error that maps straight onto the error shape."""

    def __init__(self, status, message, code=None, fields=None, **extra):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or CODES.get(status, "error")
        self.fields = fields
        self.extra = extra

    def body(self):
        """The inside of ``{"error": ...}``."""
        body = {"status": self.status, "code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return {**body, **self.extra}


def error_response(status, message, code=None, fields=None, headers=None, **extra):
    if wants_page():
        response = make_response(render_template("error.html", status=status, message=message))
    else:
        response = jsonify(error=ApiError(status, message, code, fields, **extra).body())
    response.status_code = status
    if headers:
        response.headers.update(headers)
    return response


#: Paths that answer JSON whoever asks: the API and the health probes.
JSON_ONLY = ("/api/", "/healthz", "/readyz")


def wants_page():
    """A browser asking for a page gets the error as a page; every API client gets JSON."""
    return (
        request.method == "GET"
        and not request.path.startswith(JSON_ONLY)
        and request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"
    )


def flatten_messages(messages, prefix=""):
    """Flatten webargs/marshmallow messages to {"field.sub": [...]}, dropping the location."""
    if isinstance(messages, (list, tuple)):
        return {prefix or "body": [str(m) for m in messages]}
    flat = {}
    for key, value in messages.items():
        key = str(key)
        if not prefix and key in {"json", "query", "path", "form", "headers", "files"}:
            name = ""
        elif key == "_schema":
            name = prefix
        else:
            name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            flat.update(flatten_messages(value, name))
        else:
            values = value if isinstance(value, (list, tuple)) else [value]
            flat.setdefault(name or "body", []).extend(str(v) for v in values)
    return flat


def handle_http_exception(exc):
    data = getattr(exc, "data", None) or {}
    fields = None
    if "messages" in data or "errors" in data:
        fields = flatten_messages(data.get("errors") or data["messages"])
    status = exc.code or 500
    message = data.get("message") or exc.description or exc.name
    if status == 422 and fields and "message" not in data:
        message = "The request has invalid fields."
    headers = data.get("headers") or {}
    if status == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)
    if status == 429:
        headers.update(dict(exc.get_headers()))
        headers.pop("Content-Type", None)
        message = "Too many attempts; try again later."
    return error_response(status, message, code=data.get("code"), fields=fields, headers=headers)


def handle_csrf_error(exc):
    return error_response(
        403, "Send the X-CSRFToken header from login or GET /me.", code="csrf_failed"
    )


def handle_api_error(exc):
    return error_response(exc.status, exc.message, exc.code, exc.fields, **exc.extra)


def handle_integrity_error(exc):
    db.session.rollback()
    return error_response(409, "The record conflicts with one already stored.")


def handle_database_down(exc):
    db.session.rollback()
    log.warning("database unavailable: %s", type(exc.orig).__name__ if exc.orig else exc)
    return error_response(
        503,
        "The database is unavailable; try again shortly.",
        code="database_unavailable",
        headers={"Retry-After": "5"},
    )


def handle_internal_error(exc):
    original = getattr(exc, "original_exception", None) or exc
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the session may be unusable; the response matters more
        pass
    if isinstance(original, (OperationalError, DBAPIError)) and _is_connection_error(original):
        return handle_database_down(original)
    return error_response(500, "Something went wrong on our side; nothing was lost.")


def _is_connection_error(exc):
    return isinstance(exc, OperationalError) or getattr(exc, "connection_invalidated", False)


def register_errorhandlers(app):
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(OperationalError, handle_database_down)
    app.register_error_handler(InternalServerError, handle_internal_error)
