"""Apple Health's export.xml: steps and exercise minutes per local day, read as a stream.

expat reads the file a block at a time and calls back for each element's start tag: no tree is
built, so memory stays flat however large the export. Only the ``Record`` elements of the two
types below are looked at. A document that declares any entity is refused outright, before any
reference to one can be expanded: Apple's export declares none, and entities are how an XML
file makes a parser read another file (``file:///etc/passwd``) or expand a few bytes into
gigabytes ("billion laughs").
"""

from collections import defaultdict
from datetime import datetime
from xml.parsers import expat

from .exports import MAX_MINUTES, MAX_STEPS, DayFigures, ImportFailed

STEPS = "HKQuantityTypeIdentifierStepCount"
EXERCISE = "HKQuantityTypeIdentifierAppleExerciseTime"
#: Minutes in one of each unit Apple writes exercise time in.
MINUTES_PER = {"min": 1.0, "s": 1 / 60, "hr": 60.0}
READ_BYTES = 256 << 10
ROOT = "HealthData"
#: The most bytes without a ">" an export has (a tag is some hundred bytes): expat keeps a
#: token whole in memory, so a file of one endless tag is refused before it fills it.
MAX_TOKEN_BYTES = 4 << 20


def read_apple_health(binary, tz, today, format_):
    """Sum each day's steps and exercise minutes per source; a day's figure is the larger sum.

    ``startDate`` (``2026-03-08 07:59:30 -0500``) places a record on the patient's local date in
    ``tz``. An iPhone and a watch count the same walk, so their sums are not added together.
    """
    reading = _Reading(tz, today)
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = reading.refuse_entity
    parser.UnparsedEntityDeclHandler = reading.refuse_entity
    parser.ExternalEntityRefHandler = reading.refuse_entity
    parser.StartElementHandler = reading.start
    reading.parser = parser
    since_tag_end = 0
    try:
        while data := binary.read(READ_BYTES):
            end = data.rfind(b">")
            since_tag_end = len(data) - end - 1 if end >= 0 else since_tag_end + len(data)
            if since_tag_end > MAX_TOKEN_BYTES:
                raise ImportFailed(
                    f"Line {parser.CurrentLineNumber}: over {MAX_TOKEN_BYTES:,} bytes without the "
                    "end of a tag, which no export has."
                )
            parser.Parse(data, False)
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise ImportFailed(
            f"The XML is broken at line {error.lineno}, column {error.offset + 1}: "
            f"{expat.ErrorString(error.code)}."
        ) from None
    if not reading.root_seen:
        raise ImportFailed("The XML file has no elements.")
    return reading.figures(format_)


class _Reading:
    def __init__(self, tz, today):
        self.tz = tz
        self.today = today
        self.parser = None
        self.root_seen = False
        self.steps = defaultdict(float)  # (date, source) -> sum
        self.minutes = defaultdict(float)
        self.sources = set()
        self.future = set()

    def where(self):
        return f"Line {self.parser.CurrentLineNumber}"

    def refuse_entity(self, *args):
        raise ImportFailed(
            f"{self.where()}: the XML declares or uses an entity (<!ENTITY ...>), which Apple "
            "Health's export never does; the file was refused unread."
        )

    def start(self, name, attributes):
        if not self.root_seen:
            self.root_seen = True
            if name != ROOT:
                raise ImportFailed(
                    f"{self.where()}: the XML's root element is <{name[:40]}>, not Apple Health's "
                    f"<{ROOT}>: is it Apple Health's export.xml?"
                )
        if name != "Record":
            return
        kind = attributes.get("type")
        if kind != STEPS and kind != EXERCISE:
            return
        day = self._local_date(attributes.get("startDate", ""))
        if day > self.today:
            self.future.add(day)
            return
        source = attributes.get("sourceName") or "unknown"
        self.sources.add(source)
        if kind == STEPS:
            self._add(self.steps, day, source, self._value(attributes, 1.0), "steps", MAX_STEPS)
        else:
            unit = MINUTES_PER.get(attributes.get("unit", "min"))
            if unit is None:
                raise ImportFailed(
                    f"{self.where()}: exercise time in {attributes.get('unit')[:20]!r}, "
                    "a unit we do not know."
                )
            minutes = self._value(attributes, unit)
            self._add(self.minutes, day, source, minutes, "active minutes", MAX_MINUTES)

    def _local_date(self, text):
        # "2026-03-08 07:59:30 -0500": fromisoformat reads it once the space before the offset
        # is gone, some ten times faster than strptime.
        try:
            instant = datetime.fromisoformat(text[:19] + text[20:] if text[19:20] == " " else text)
            if instant.tzinfo is None:
                raise ValueError
        except ValueError:
            raise ImportFailed(
                f"{self.where()}: a Record's startDate is {text[:40]!r}, not a date and time "
                "with its offset such as 2026-03-08 07:59:30 -0500."
            ) from None
        return instant.astimezone(self.tz).date()

    def _value(self, attributes, factor):
        text = attributes.get("value", "")
        try:
            value = float(text) * factor
        except ValueError:
            value = -1.0
        if not value >= 0:  # negative, nan, or not a number
            raise ImportFailed(f"{self.where()}: a Record's value is {text[:40]!r}, not a figure.")
        return value

    def _add(self, sums, day, source, value, what, most):
        total = sums[day, source] = sums[day, source] + value
        if total > most + 0.5:
            raise ImportFailed(
                f"{self.where()}: the {what} of {day.isoformat()} from {source[:60]} pass "
                f"{most:,}, more than a day can hold."
            )

    def figures(self, format_):
        """The day's figure: of each, the largest sum any one source counted."""
        figures = DayFigures(format_, "apple_health", devices=sorted(self.sources))
        best = {}
        for index, sums in enumerate((self.steps, self.minutes)):
            for (day, _), total in sums.items():
                pair = best.setdefault(day, [None, None])
                pair[index] = max(pair[index] or 0, round(total))
        figures.days = {day: tuple(pair) for day, pair in sorted(best.items())}
        figures.future_days = len(self.future)
        return figures
