"""What an import reads out of an export, whatever its format, and why it may refuse one."""

from dataclasses import dataclass, field

#: DESIGN §3 Activity day: the most a day can hold.
MAX_STEPS = 150_000
MAX_MINUTES = 1_440


class ImportFailed(Exception):
    """The file is not one we can import; the message says why and where, in plain words."""


@dataclass
class DayFigures:
    """Each local day's steps and active minutes from one export, before they are written."""

    format: str
    source: str
    #: date -> (steps, active minutes), either None when the export has no figure of it.
    days: dict = field(default_factory=dict)
    #: The phones and watches the export named, for the result in words.
    devices: list = field(default_factory=list)
    #: Days after the patient's today, left out.
    future_days: int = 0


def whole_number(text, what, where, most):
    """``text`` as a whole number from 0 to ``most``, or None when empty.

    :raise ImportFailed: naming ``where`` (a line) when it is not one.
    """
    text = text.strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise ImportFailed(f"{where}: {what} is {text[:40]!r}, not a number.") from None
    if not 0 <= number <= most:  # also refuses nan and inf
        raise ImportFailed(f"{where}: {what} is {text[:40]}, outside 0 to {most:,}.")
    return round(number)
