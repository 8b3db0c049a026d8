"""The diary's vocabulary in words a patient reads: the API's codes, labelled for the pages.

Each record type declares its codes and the labels that differ from the default (sync.registry);
what is not a record's (channels, weekdays) is here.
"""

from flask import current_app

from ..analytics import RECENT_VS_PRIOR
from ..reminders.vocabulary import CHANNEL_WORDS
from ..sync.registry import registry

#: 0 = Monday, as the API counts days of the week.
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EXTENSION = "pain_diary.words"
#: What a clinician read, by the verb a patient would use and the audit event's resource
#: (care.access.audit); each chart and collection of the record types is added to these.
READS = {
    "saw": {"patients": "your latest figures in their patient list"},
    "read": {
        "clinic/summary": "your summary",
        "summary": "your summary",
        "summary.html": "your printable summary",
    },
    "downloaded": {"summary.pdf": "your summary as a PDF", "fhir": "your whole diary (FHIR)"},
}


def label(code, labels=None):
    """``lower_back`` → "Lower back", unless ``labels`` (default: the app's) says otherwise."""
    labels = special_labels() if labels is None else labels
    return labels.get(code) or code.replace("_", " ").capitalize()


def special_labels():
    """Every record type's own labels, merged."""
    return words_of_app()[1]


def words():
    """The pages' vocabulary, by name: labelled codes, scales, reminder kinds, channels."""
    return words_of_app()[0]


def words_of_app():
    """(the vocabulary, the labels) of the current app's record types, built once per app."""
    if (built := current_app.extensions.get(EXTENSION)) is None:
        built = current_app.extensions[EXTENSION] = _build(registry())
    return built


def _build(registry):
    labels = {}
    for record_type in registry.record_types.values():
        labels.update(record_type.labels)
    vocabulary = {}
    for record_type in registry.record_types.values():
        for name, codes in record_type.vocabulary.items():
            is_scale = isinstance(codes, dict)
            vocabulary[name] = codes if is_scale else [(c, label(c, labels)) for c in codes]
    vocabulary.update({
        "reminder_kinds": [(r.kind, r.label) for r in registry.parts("reminders")],
        "channels": [list(pair) for pair in CHANNEL_WORDS],
        "weekdays": list(enumerate(WEEKDAYS)),
        # The clinic's card names its pain change by the definition GET /patients computes it with.
        "pain_change_comparison": RECENT_VS_PRIOR.words,
        "reads": _reads(registry),
    })  # fmt: skip
    return vocabulary, labels


def _reads(registry):
    reads = {
        resource: (verb, what) for verb, read in READS.items() for resource, what in read.items()
    }
    for chart in registry.parts("charts"):
        reads[f"charts/{chart.name}"] = ("looked at", f"your {chart.title.lower()} chart")
    for name in registry.collections:
        reads[name] = ("read", f"your {name.replace('-', ' ')}")
    return reads
