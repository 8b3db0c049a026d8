"""What every request and response passes through: the check of text at the edge, and headers.

The edge check refuses, before any view runs, what the views and databases cannot take:
NUL characters (PostgreSQL cannot store them), lone surrogates (neither database can encode
them, and a stored one would break every later export), integers longer than any field needs
(Python cannot even read one of 4,301 digits) and JSON nested deep enough to exhaust the parser's
stack.
"""

import json
import re

from flask import current_app, request

from .errors import ApiError

#: Arrays and objects inside one another; the API's deepest body (a sync operation's body
#: sites) has six levels.
MAX_DEPTH = 32
#: Digits of a JSON integer; no field needs more than a few, and Python refuses over 4,300.
MAX_INTEGER_DIGITS = 100

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # Swagger UI and charts set style attributes; scripts stay strict.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# The JSON escapes of NUL and of surrogates (\ud800-\udfff).
SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
DIGITS = b"0123456789"
SURROGATE = re.compile("[\ud800-\udfff]")

NUL_TEXT = "Text must not contain NUL characters."
INVALID_TEXT = "Text must be valid Unicode: a lone surrogate such as \\ud800 is not a character."
LONG_INTEGER = f"Integers must have at most {MAX_INTEGER_DIGITS} digits."
NOT_JSON = "The body is not usable JSON."
TOO_DEEP = f"The body is not usable JSON: it is nested deeper than {MAX_DEPTH} levels."

#: What the guarded parser puts in place of an integer too long to read.
TOO_LONG = object()


def register_hooks(app):
    app.before_request(refuse_unusable_text)
    app.after_request(security_headers)


def refuse_unusable_text():
    """Refuse text the databases cannot store and JSON the parser cannot read: 422 or 400."""
    problems = {}
    for name, value in request.args.items(multi=True):
        if problem := text_problem(name):
            _add(problems, "query", problem)
        elif problem := text_problem(value):
            _add(problems, name, problem)
    if request.is_json:
        # Cached: the view's parser reads the same bytes. Only a body that may hold a problem
        # is parsed here; the others are parsed once, by the view.
        raw = request.get_data(cache=True)
        if may_hold_a_problem(raw):
            body_problems(guarded_load(raw), problems)
    if problems:
        messages = {problem for found in problems.values() for problem in found}
        message = messages.pop() if len(messages) == 1 else "The request has invalid fields."
        raise ApiError(
            422, message, fields={name: sorted(found) for name, found in problems.items()}
        )


def may_hold_a_problem(raw):
    """Whether the body needs parsing here, told by scans of its bytes at C speed (~2 µs)."""
    return (
        (b"\\u" in raw and SUSPECT_ESCAPE.search(raw) is not None)
        # Fewer brackets than levels allowed: not too deep; fewer digits: no long integer.
        or raw.count(b"[") + raw.count(b"{") > MAX_DEPTH
        or len(raw) - len(raw.translate(None, DIGITS)) > MAX_INTEGER_DIGITS
    )


def guarded_load(raw):
    """The body as the view's parser (webargs) reads it, with over-long integers marked."""
    try:
        return json.loads(raw.decode("utf-8"), parse_int=_integer)
    except RecursionError:
        raise ApiError(400, TOO_DEEP, fields={"body": [TOO_DEEP]}) from None
    except ValueError:  # JSONDecodeError, UnicodeDecodeError: what webargs answers 400 to
        raise ApiError(400, NOT_JSON, fields={"body": ["Invalid JSON body."]}) from None


def _integer(digits):
    return int(digits) if len(digits.lstrip("-")) <= MAX_INTEGER_DIGITS else TOO_LONG


def text_problem(text):
    if "\x00" in text:
        return NUL_TEXT
    if not text.isascii() and SURROGATE.search(text):
        return INVALID_TEXT
    return None


def body_problems(body, problems):
    """Add each unusable value of ``body`` under its flattened name (``tags.0``)."""
    pending = [(body, "", 0)]
    while pending:  # a loop, not recursion: the depth is what is being checked
        value, name, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth == MAX_DEPTH:
                raise ApiError(400, TOO_DEEP, fields={"body": [TOO_DEEP]})
            for key, member in value.items() if isinstance(value, dict) else enumerate(value):
                key = str(key)
                if problem := text_problem(key):
                    # A key that is not text names nothing: the problem is where it sits.
                    _add(problems, name, problem)
                else:
                    pending.append((member, f"{name}.{key}" if name else key, depth + 1))
        elif value is TOO_LONG:
            _add(problems, name, LONG_INTEGER)
        elif isinstance(value, str) and (problem := text_problem(value)):
            _add(problems, name, problem)


def _add(problems, name, problem):
    problems.setdefault(name or "body", set()).add(problem)


def security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config["HSTS_ENABLED"]:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if not _static_asset():
        # Health data must not linger in shared caches or the browser's disk cache; only the
        # static files (CSS, JS, icons, the vendored Swagger UI) may be kept.
        headers.setdefault("Cache-Control", "no-store")
    return response


def _static_asset():
    return (request.endpoint or "").rpartition(".")[2] == "static"
