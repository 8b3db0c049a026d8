"""FHIR code systems, the concepts several record types use, and the elements they make.

LOINC for measurements, SNOMED CT only where a concept fits the diary's term (a body site, a
therapy), the diary's own key as text always. Items LOINC has no code for (sleep latency, PEG
items, ...) carry a code of this app's own system (:data:`LOCAL`) and a text.
"""

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
LOCAL = "urn:pain-diary:code"
PATIENT_IDENTIFIER = "urn:pain-diary:patient"
RECORD_IDENTIFIER = "urn:ietf:rfc:3986"

FINDING_SITE = (SNOMED, "363698007", "Finding site")

#: SNOMED CT body structures; a site without a concept that fits (upper back, wrist and hand,
#: ankle and foot, ...) is given as text only.
BODY_STRUCTURES = {
    "head": ("69536005", "Head structure"),
    "neck": ("45048000", "Neck structure"),
    "shoulder": ("16982005", "Shoulder region structure"),
    "lower_back": ("37822005", "Lower back structure"),
    "chest": ("51185008", "Thoracic structure"),
    "abdomen": ("113345001", "Abdominal structure"),
    "pelvis": ("12921003", "Pelvic structure"),
    "hip": ("29836001", "Hip region structure"),
    "buttock": ("46862004", "Buttock structure"),
    "arm": ("53120007", "Upper limb structure"),
    "elbow": ("127949000", "Elbow region structure"),
    "thigh": ("68367000", "Thigh structure"),
    "knee": ("72696002", "Knee region structure"),
    "leg": ("61685007", "Lower limb structure"),
}
#: The diary's dose units that UCUM codes; the others (tablet, puff, ...) are text only.
UCUM_UNITS = {"mg": "mg", "mcg": "ug", "g": "g", "ml": "mL", "mcg_per_hour": "ug/h"}


def concept(system, code, display, text=None):
    """A CodeableConcept of one coding, with ``text`` if given."""
    codeable = {"coding": [{"system": system, "code": code, "display": display}]}
    return {**codeable, "text": text} if text else codeable


def local_concept(code, text):
    """A code of this app's own system, its text as display and text."""
    return concept(LOCAL, code, text, text)


def body_site(site):
    """A diary body site ``{site, side?}``: SNOMED CT where a concept fits, the key (and side)
    as text."""
    text = site["site"]
    if site.get("side"):
        text = f"{text} ({site['side']})"
    if site["site"] in BODY_STRUCTURES:
        return concept(SNOMED, *BODY_STRUCTURES[site["site"]], text)
    return {"text": text}


def quantity(value, unit):
    """A Quantity in a diary unit, coded in UCUM where the unit has a UCUM code."""
    amount = {"value": value, "unit": unit.replace("_per_hour", "/h")}
    if unit in UCUM_UNITS:  # tablets, puffs, patches ... have no UCUM code: unit text only
        amount |= {"system": UCUM, "code": UCUM_UNITS[unit]}
    return amount


def minutes(value):
    """A Quantity of minutes, UCUM-coded."""
    return {"value": value, "unit": "min", "system": UCUM, "code": "min"}


def notes(*texts):
    """The ``note`` of a resource from the texts given, or nothing when all are empty."""
    notes = [{"text": text} for text in texts if text]
    return {"note": notes} if notes else {}  # FHIR JSON has no empty arrays
