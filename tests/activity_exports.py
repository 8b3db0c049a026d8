"""Export files as phones and watches write them, made by the tests (DESIGN §3 Activity imports)."""

import io
import uuid
import zipfile

STEPS = "HKQuantityTypeIdentifierStepCount"
EXERCISE = "HKQuantityTypeIdentifierAppleExerciseTime"

# The head of a real export.xml: a DOCTYPE with an internal subset of elements and attributes
# (abridged), and no entity.
APPLE_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 14 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT ExportDate EMPTY>
<!ATTLIST ExportDate
  value CDATA #REQUIRED
>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record
  type          CDATA #REQUIRED
  unit          CDATA #IMPLIED
  value         CDATA #IMPLIED
  sourceName    CDATA #REQUIRED
  sourceVersion CDATA #IMPLIED
  device        CDATA #IMPLIED
  creationDate  CDATA #IMPLIED
  startDate     CDATA #REQUIRED
  endDate       CDATA #REQUIRED
>
]>
<HealthData locale="en_US">
 <ExportDate value="2026-03-20 10:00:00 -0400"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1970-01-01"/>
"""
APPLE_TAIL = "</HealthData>\n"
DEVICE = {
    "iPhone": "&lt;&lt;HKDevice: 0x2817&gt;, name:iPhone, model:iPhone, hardware:iPhone14,5&gt;",
    "Apple Watch": "&lt;&lt;HKDevice: 0x2818&gt;, name:Apple Watch, model:Watch&gt;",
}


def record(kind, source, start, value, unit=None, minutes=10, metadata=False):
    """One Record element; ``start`` as Apple writes it (``2026-03-08 07:59:30 -0500``)."""
    unit = unit or ("count" if kind == STEPS else "min")
    inner = ('\n  <MetadataEntry key="HKMetadataKeySyncIdentifier" value="' + uuid.uuid4().hex
             + '"/>\n ') if metadata else ""  # fmt: skip
    attributes = (
        f'type="{kind}" sourceName="{source}" sourceVersion="19.3" '
        f'device="{DEVICE.get(source, "")}" unit="{unit}" creationDate="{start}" '
        f'startDate="{start}" endDate="{start}" value="{value}"'
    )
    return f" <Record {attributes}>{inner}</Record>\n" if inner else f" <Record {attributes}/>\n"


def noise():
    """What an export holds besides steps and exercise: none of it counts."""
    start = "2026-03-01 12:00:00 -0500"
    return (
        record("HKQuantityTypeIdentifierHeartRate", "Apple Watch", start, 72, "count/min")
        + record("HKQuantityTypeIdentifierDistanceWalkingRunning", "iPhone", start, 3.2, "km")
        + record("HKQuantityTypeIdentifierFlightsClimbed", "iPhone", start, 4, "count")
        + f' <Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="Health" '
        f'startDate="{start}" endDate="{start}">\n'
        + "  "
        + record("HKQuantityTypeIdentifierBloodPressureSystolic", "Health", start, 120, "mmHg")
        + " </Correlation>\n"
        f' <Workout workoutActivityType="HKWorkoutActivityTypeWalking" duration="30" '
        f'sourceName="Apple Watch" startDate="{start}" endDate="{start}">\n'
        '  <WorkoutStatistics type="HKQuantityTypeIdentifierStepCount" sum="99999" unit="count"/>\n'
        " </Workout>\n"
        ' <ActivitySummary dateComponents="2026-03-01" appleExerciseTime="999"/>\n'
    )


def apple_xml(records, head=APPLE_HEAD):
    return (head + "".join(records) + APPLE_TAIL).encode()


def apple_zip(xml, member="apple_health_export/export.xml", compression=zipfile.ZIP_DEFLATED):
    """An export.zip as the Health app makes it: export.xml beside export_cda.xml and routes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("apple_health_export/export_cda.xml", "<ClinicalDocument/>")
        if member:
            archive.writestr(member, xml)
        archive.writestr("apple_health_export/workout-routes/route_2026-03-01.gpx", "<gpx/>")
    return buffer.getvalue()


def google_fit_csv(rows):
    """Google Fit Takeout's ``Daily activity metrics.csv``: ``rows`` of (date, steps, minutes)."""
    lines = [
        "Date,Move Minutes count,Calories (kcal),Distance (m),Heart Points,Heart Minutes,"
        "Average heart rate (bpm),Max heart rate (bpm),Min heart rate (bpm),Average speed (m/s),"
        "Max speed (m/s),Min speed (m/s),Step count,Walking duration (ms)"
    ]
    for day, steps, minutes in rows:
        lines.append(f"{day},{minutes},1543.2,3021.5,12,10,,,,1.2,1.9,0.4,{steps},1830000")
    return ("\n".join(lines) + "\n").encode()


def big_apple_xml(path, megabytes):
    """Write an export.xml of about ``megabytes`` MB to ``path``: a year of days over and over
    (the same figures, so the result is known), with MetadataEntry children as real ones have."""
    days = 0
    with open(path, "w") as out:
        out.write(APPLE_HEAD)
        written = len(APPLE_HEAD)
        while written < megabytes * 1_000_000:
            day = days % 300
            month, dom = divmod(day, 28)
            start = f"2025-{month + 1:02d}-{dom + 1:02d} 10:00:00 +0000"
            chunk = record(STEPS, "iPhone", start, 1, metadata=True) + record(
                EXERCISE, "Apple Watch", start, 1
            )
            out.write(chunk)
            written += len(chunk)
            days += 1
        out.write(APPLE_TAIL)
    return days
