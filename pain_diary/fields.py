"""Field rules every API schema shares (DESIGN.md §3); what a synced record adds is sync.fields."""

import re
from datetime import UTC, datetime, timedelta
from functools import partial

import marshmallow as ma
from marshmallow import fields, validate

FUTURE_TOLERANCE = timedelta(minutes=5)
NOTE = validate.Length(max=2000)


def Int(low=None, high=None, **kwargs):  # noqa: N802 - reads like the other field classes
    """A strict integer (5.5, "5" and true are refused), optionally within [low, high].

    The document gets ``minimum`` and ``maximum`` from the Range, as apispec translates it.
    """
    validators = []
    if low is not None or high is not None:
        if high is None:
            message = "Must be at least {min}."
        else:
            message = "Must be between {min} and {max}."
        validators.append(validate.Range(min=low, max=high, error=message))
    return fields.Integer(strict=True, validate=validators, **kwargs)


def page_limit():
    """``limit`` of a list: query strings are text, which a strict integer field refuses."""
    return fields.Integer(
        validate=validate.Range(1, 500, error="Must be between {min} and {max}."), load_default=100
    )


def not_in_future(value):
    if value > datetime.now(UTC) + FUTURE_TOLERANCE:
        raise ma.ValidationError("Must not be in the future.")


def plausible_year(value):
    # The local year first keeps the UTC conversion in range (0001-01-01T00:00+00:01 has no UTC
    # counterpart); the UTC year too, because answers give instants in UTC, and a record read
    # back (1900-01-01T00:30+01:00 reads 1899-12-31T23:30Z) must be accepted when sent back.
    if not 1900 <= value.year <= 2199 or not 1900 <= value.astimezone(UTC).year <= 2199:
        raise ma.ValidationError("Must be between the years 1900 and 2199.")


# What plausible_year enforces, said in JSON schema (apispec cannot translate a custom validator):
# RFC 3339 with the years 1900 to 2199. The whole form is spelled out, not only the year, so that
# a generator drawing from the pattern (schemathesis does) mostly draws valid date-times.
PLAUSIBLE_INSTANT_PATTERN = (
    r"^(19|2[01])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)
# Rules the document can only describe; a client learns them from the description.
RULE_DESCRIPTIONS = {
    not_in_future: "Not more than 5 minutes in the future.",
}


def Instant(validate=None, **kwargs):  # noqa: N802 - reads like the other field classes
    """An ISO 8601 datetime with its UTC offset, in a plausible year.

    The document says so: ``format: date-time``, a ``pattern`` for the years 1900 to 2199, and
    a description of each rule a pattern cannot state (not in the future).
    """
    validators = [plausible_year, *([validate] if callable(validate) else validate or [])]
    metadata = dict(kwargs.pop("metadata", {}))
    rules = [RULE_DESCRIPTIONS[rule] for rule in validators if rule in RULE_DESCRIPTIONS]
    description = " ".join(
        [metadata.get("description", "With its UTC offset."), "Years 1900 to 2199.", *rules]
    )
    metadata.update(description=description, pattern=PLAUSIBLE_INSTANT_PATTERN)
    return fields.AwareDateTime(format="iso", validate=validators, metadata=metadata, **kwargs)


# Local dates a patient chooses (a medication's start, an appointment) share the instants' years:
# a date is compared with instants and turned into them (its local midnight in UTC, the days
# after it), and at 9999-12-31 that overflows in a zone behind UTC. 2199 is far from any limit.
PLAUSIBLE_DATE_PATTERN = r"^(19|2[01])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


def plausible_date(value):
    if not 1900 <= value.year <= 2199:
        raise ma.ValidationError("Must be between the years 1900 and 2199.")


class LocalDate(fields.Date):
    """A local date ``YYYY-MM-DD`` in the years 1900 to 2199, as the document says in a pattern."""

    def __init__(self, validate=None, metadata=None, **kwargs):
        validators = [plausible_date, *([validate] if callable(validate) else validate or [])]
        metadata = dict(metadata or {})
        description = f"{metadata.get('description', 'A local date.')} Years 1900 to 2199."
        metadata.update(description=description, pattern=PLAUSIBLE_DATE_PATTERN)
        super().__init__(validate=validators, metadata=metadata, **kwargs)


Note = partial(fields.String, validate=NOTE, allow_none=True)


class WholeMatch(validate.Regexp):
    """A Regexp the whole value must match: re.match lets "$" pass a trailing newline."""

    def __call__(self, value):
        if self.regex.fullmatch(value) is None:
            raise ma.ValidationError(self._format_error(value))
        return value


HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def LocalTime(**kwargs):  # noqa: N802 - reads like the other field classes
    """A local clock time ``"HH:MM"``, 00:00 to 23:59."""
    validator = WholeMatch(HHMM, error="Must be a local time like 08:00.")
    return fields.String(validate=validator, **kwargs)


def Figure(description=None):  # noqa: N802 - reads like the other field classes
    """A figure the server computes: a number, or null where it cannot be computed."""
    return fields.Float(
        allow_none=True, metadata={"description": description} if description else {}
    )


def one_of(choices):
    return validate.OneOf(choices, error="Must be one of: {choices}.")


class ReadBackSchema(ma.Schema):
    """A schema a client may send back what it read: the server-set fields are ignored."""

    @ma.pre_load
    def ignore_what_the_server_sets(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        return {key: value for key, value in data.items() if key not in self.dump_fields
                or key in self.load_fields}  # fmt: skip
