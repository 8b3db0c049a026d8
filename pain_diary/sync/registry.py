"""The record types an app knows, each declared once (DESIGN §1), and who may read a patient's.

A feature package describes each kind of record it owns as a :class:`RecordType`: its synced
collections (each one a file of the patient's export too) and the optional parts the rest of
the app iterates (the diary's loader, the summary's section, charts, FHIR, the pages' words,
reminders). ``create_app`` fills the registry; nothing registers itself on import, so each app
(every test builds one) knows exactly the types it was given, whatever was imported first.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from werkzeug.routing import AnyConverter

EXTENSION = "pain_diary.sync"


@dataclass(frozen=True)
class Chart:
    """A trend chart: ``draw(figure, diary, ticks, now, medium) -> (title, description)``."""

    name: str
    #: Its heading on the clinician's summary.
    title: str
    draw: Callable
    #: The diary parts (record type names) it draws on, so a chart loads only those.
    needs: frozenset
    #: Whether it draws the days other record types mark (``RecordType.marks``).
    marked: bool = False


@dataclass(frozen=True)
class Section:
    """A record type's section of the summary, under the record type's name (DESIGN §4)."""

    #: compute(diary, now) -> the section.
    compute: Callable
    #: The marshmallow field that documents and dumps it (each app's summary schema has it).
    field: Any


@dataclass(frozen=True)
class Answered:
    """What in the diary answers a reminder already, so that it is not sent (DESIGN §5)."""

    #: key(rule, occurrence instant, its local day) -> what ``found`` looks up.
    key: Callable
    #: found(keys) -> those of ``keys`` the diary holds: one statement for them all.
    found: Callable


@dataclass(frozen=True)
class Reminder:
    """A kind of reminder a record type answers: where it takes the patient, its words."""

    kind: str
    #: Its name on the Reminders page ("Pain check-in").
    label: str
    #: The page a tap opens.
    url: str
    #: The inbox entry's title ("Check-in").
    inbox_title: str
    #: headline(local clock time) -> the words that leave the server, as a push's body and an
    #: email's subject: no drug names, no figures (DESIGN §5).
    headline: Callable
    #: What answers it already, or None: then it is always sent.
    answered: Answered | None = None


@dataclass(frozen=True)
class Noted:
    """A collection whose records carry a patient's ``note`` ("In the patient's words")."""

    collection: Any
    #: What the summary says the note was written on ("Pain entry").
    words: str
    #: The model attribute of the moment it is about; its day is the collection's date_column.
    instant: str


@dataclass(frozen=True)
class Page:
    """A patient's page of the web app (``/procedures``), kept by the service worker offline."""

    path: str
    #: Its endpoint in the web blueprint ("web.<endpoint>") and its title.
    endpoint: str
    title: str
    template: str


@dataclass(frozen=True)
class RecordType:
    """One kind of record and every part of the app it plugs into; only ``name`` is required."""

    #: The diary part and summary section it fills ("pain").
    name: str
    #: Its synced collections (sync.store.Collection), in the order /sync names them.
    collections: tuple = ()
    #: load(patient_ids, diary_of, diaries) reads its records for many patients' diaries
    #: (insights.diary.load_diaries) into ``diary.records[name]``; the built-in four are read
    #: there.
    load: Callable | None = None
    #: Its section of the summary.
    summary: Section | None = None
    charts: tuple[Chart, ...] = ()
    #: marks(diary) -> the days the pain chart marks for it (charts.marks.ChartMark).
    marks: Callable | None = None
    #: fhir(records by export name, bundle) adds its resources to the Bundle (pain_diary.fhir).
    fhir: Callable | None = None
    #: Codes the pages show, by vocabulary name: {"body_sites": (code, ...)}.
    vocabulary: Mapping = field(default_factory=dict)
    #: How its codes read where the default (underscores as spaces, capitalised) would not.
    labels: Mapping = field(default_factory=dict)
    reminders: tuple[Reminder, ...] = ()
    #: Its collections whose notes the summary shows ("In the patient's words").
    notes: tuple[Noted, ...] = ()
    #: History's "Show" choices: (``?show=`` value, words, the collection it lists); each entry
    #: listed opens in an edit page.
    history: tuple = ()
    #: Its own pages in the web app.
    pages: tuple[Page, ...] = ()


class Registry:
    """The app's record types and collections by name, in the order registered."""

    def __init__(self, record_types, readable_patient):
        self.record_types = {}
        self.collections = {}
        #: readable_patient(patient_id, resource) -> the patient, or raises ApiError (404).
        self.readable_patient = readable_patient
        for record_type in record_types:
            self.add(record_type)

    def add(self, record_type):
        """Declare one more record type (create_app does; so does a test of the seam)."""
        if record_type.name in self.record_types:
            raise ValueError(f"Two record types are named {record_type.name!r}.")
        for collection in record_type.collections:
            if collection.name in self.collections:
                raise ValueError(f"Two collections are named {collection.name!r}.")
            if not collection.about:
                raise ValueError(f"{collection.name!r} does not say what its export rows are.")
            self.collections[collection.name] = collection
        self.record_types[record_type.name] = record_type

    def parts(self, name):
        """Every record type's ``name`` part that is declared, flattened when it is a tuple."""
        found = []
        for record_type in self.record_types.values():
            part = getattr(record_type, name)
            if isinstance(part, tuple):
                found.extend(part)
            elif part:
                found.append(part)
        return found


def register_record_types(app, record_types, *, readable_patient):
    """Make ``record_types`` the ones ``app`` syncs, exports, summarises and reminds of."""
    app.extensions[EXTENSION] = Registry(record_types, readable_patient)


def registry(app=None):
    """The registry of ``app``, by default the current app."""
    return (app or current_app).extensions[EXTENSION]


def any_of(names):
    """A URL converter that matches exactly ``names``: another is a 404 from routing, and the
    OpenAPI document lists them as an enum (as for werkzeug's ``any``)."""
    names = tuple(names)

    class Names(AnyConverter):
        def __init__(self, map, *args, **kwargs):
            super().__init__(map, *names)

    return Names


def registered_collections():
    """The current app's collections by name."""
    return registry().collections
