"""A synthetic Apple Health export.xml of a given size, written once and cached in the temp dir.

It looks like a real export: the XML declaration, the DOCTYPE with its internal subset of
ELEMENT and ATTLIST declarations (and no ENTITY), ``ExportDate`` and ``Me``, then a day at a time
over years: step counts from an iPhone and an Apple Watch every few minutes, heart rate with
its metadata, active energy, exercise minutes, an evening workout with its statistics and the
day's ActivitySummary. Only the steps and exercise minutes are what an import reads.
"""

import os
import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

DEFAULT_BYTES = 1 << 30
LAST_DAY = date(2026, 11, 30)
PHONE = "Anna\u2019s iPhone"
WATCH = "Anna\u2019s Apple\u00a0Watch"
PHONE_DEVICE = (
    "&lt;&lt;HKDevice: 0x283e3a080&gt;, name:iPhone, manufacturer:Apple Inc., model:iPhone, "
    "hardware:iPhone14,5, software:17.1&gt;"
)
WATCH_DEVICE = (
    "&lt;&lt;HKDevice: 0x283e3a120&gt;, name:Apple Watch, manufacturer:Apple Inc., "
    "model:Watch, hardware:Watch6,2, software:10.1&gt;"
)
HEADER = """<?xml version="1.0" encoding="UTF-8"?>
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
<!ELEMENT Me EMPTY>
<!ATTLIST Me
  HKCharacteristicTypeIdentifierDateOfBirth         CDATA #REQUIRED
  HKCharacteristicTypeIdentifierBiologicalSex       CDATA #REQUIRED
  HKCharacteristicTypeIdentifierBloodType           CDATA #REQUIRED
  HKCharacteristicTypeIdentifierFitzpatrickSkinType CDATA #REQUIRED
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
<!ELEMENT MetadataEntry EMPTY>
<!ATTLIST MetadataEntry
  key   CDATA #REQUIRED
  value CDATA #REQUIRED
>
<!ELEMENT Workout ((MetadataEntry|WorkoutEvent|WorkoutStatistics)*)>
<!ATTLIST Workout
  workoutActivityType   CDATA #REQUIRED
  duration              CDATA #IMPLIED
  durationUnit          CDATA #IMPLIED
  sourceName            CDATA #REQUIRED
  sourceVersion         CDATA #IMPLIED
  device                CDATA #IMPLIED
  creationDate          CDATA #IMPLIED
  startDate             CDATA #REQUIRED
  endDate               CDATA #REQUIRED
>
<!ELEMENT WorkoutStatistics EMPTY>
<!ATTLIST WorkoutStatistics
  type      CDATA #REQUIRED
  startDate CDATA #REQUIRED
  endDate   CDATA #REQUIRED
  sum       CDATA #IMPLIED
  unit      CDATA #IMPLIED
>
<!ELEMENT ActivitySummary EMPTY>
<!ATTLIST ActivitySummary
  dateComponents           CDATA #IMPLIED
  activeEnergyBurned       CDATA #IMPLIED
  activeEnergyBurnedGoal   CDATA #IMPLIED
  activeEnergyBurnedUnit   CDATA #IMPLIED
  appleExerciseTime        CDATA #IMPLIED
  appleExerciseTimeGoal    CDATA #IMPLIED
>
]>
<HealthData locale="en_DE">
 <ExportDate value="2026-12-01 09:12:44 +0100"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1979-05-14" \
HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale" \
HKCharacteristicTypeIdentifierBloodType="HKBloodTypeNotSet" \
HKCharacteristicTypeIdentifierFitzpatrickSkinType="HKFitzpatrickSkinTypeNotSet"/>
"""
FOOTER = "</HealthData>\n"
# Each slot's time of day, every 5 minutes, and the end of its interval (4 minutes later).
SLOTS = [(f"{m // 60:02d}:{m % 60:02d}:00", f"{m // 60:02d}:{m % 60 + 4:02d}:00")
         for m in range(0, 24 * 60, 5)]  # fmt: skip
RECORD = (
    ' <Record type="HKQuantityTypeIdentifier{kind}" sourceName="{source}" sourceVersion="{ver}" '
    'device="{device}" unit="{unit}" creationDate="{day} {end} {tz}" '
    'startDate="{day} {start} {tz}" '
    'endDate="{day} {end} {tz}" value="{value}"'
)


def path_for(size: int) -> Path:
    """Where the export of ``size`` bytes is cached (outside the checkout)."""
    return Path(tempfile.gettempdir()) / "pain-diary-bench" / f"export-{size}.xml"


def export_xml(size: int | None = None) -> Path:
    """The cached export of ``size`` bytes (BENCH_IMPORT_BYTES, 1 GiB by default); made once."""
    size = size or int(os.environ.get("BENCH_IMPORT_BYTES", DEFAULT_BYTES))
    path = path_for(size)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        write(partial, size)
        partial.replace(path)
    return path


def write(path: Path, size: int) -> None:
    """Write an export of at most ``size`` bytes, its days ending on LAST_DAY."""
    rng = random.Random(20261130)
    per_day = len(day_block(LAST_DAY, random.Random(1)).encode())
    days = max(1, (size - len(HEADER.encode()) - len(FOOTER)) // per_day)
    written = len(HEADER.encode())
    with open(path, "wb") as out:
        out.write(HEADER.encode())
        for offset in range(days, -1, -1):
            block = day_block(LAST_DAY - timedelta(days=offset), rng).encode()
            if written + len(block) + len(FOOTER) > size:
                break
            out.write(block)
            written += len(block)
        out.write(FOOTER.encode())


def day_block(day: date, rng: random.Random) -> str:
    """One day of records, as one string."""
    d = day.isoformat()
    tz = "+0200" if 4 <= day.month <= 10 else "+0100"
    lines = []
    add = lines.append
    for index, (start, end) in enumerate(SLOTS):
        waking = 84 <= index <= 270  # 07:00 to 22:30
        common = {"day": d, "start": start, "end": end, "tz": tz}
        if waking and rng.random() < 0.8:
            steps = rng.randint(5, 600)
            add(RECORD.format(kind="StepCount", source=PHONE, ver="17.1", device=PHONE_DEVICE,
                              unit="count", value=steps, **common) + "/>")  # fmt: skip
            add(RECORD.format(kind="StepCount", source=WATCH, ver="10.1", device=WATCH_DEVICE,
                              unit="count", value=steps + rng.randint(-40, 40) if steps > 40
                              else steps, **common) + "/>")  # fmt: skip
            add(RECORD.format(kind="ActiveEnergyBurned", source=WATCH, ver="10.1",
                              device=WATCH_DEVICE, unit="kcal", value=f"{steps / 30:.3f}",
                              **common) + "/>")  # fmt: skip
            add(RECORD.format(kind="DistanceWalkingRunning", source=PHONE, ver="17.1",
                              device=PHONE_DEVICE, unit="km", value=f"{steps * 0.00071:.5f}",
                              **common) + "/>")  # fmt: skip
        add(RECORD.format(kind="HeartRate", source=WATCH, ver="10.1", device=WATCH_DEVICE,
                          unit="count/min", value=rng.randint(52, 130), **common) + ">\n"
            '  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="0"/>\n'
            " </Record>")  # fmt: skip
        if waking and index % 6 == 0 and rng.random() < 0.3:
            add(RECORD.format(kind="AppleExerciseTime", source=WATCH, ver="10.1",
                              device=WATCH_DEVICE, unit="min", value=rng.randint(1, 4),
                              **common) + "/>")  # fmt: skip
    add(
        f' <Workout workoutActivityType="HKWorkoutActivityTypeWalking" duration="34.2" '
        f'durationUnit="min" sourceName="{WATCH}" sourceVersion="10.1" device="{WATCH_DEVICE}" '
        f'creationDate="{d} 19:05:00 {tz}" startDate="{d} 18:30:00 {tz}" '
        f'endDate="{d} 19:04:12 {tz}">\n'
        '  <MetadataEntry key="HKIndoorWorkout" value="0"/>\n'
        f'  <WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" '
        f'startDate="{d} 18:30:00 {tz}" endDate="{d} 19:04:12 {tz}" sum="143.2" unit="kcal"/>\n'
        " </Workout>"
    )
    add(
        f' <ActivitySummary dateComponents="{d}" activeEnergyBurned="{rng.randint(200, 700)}" '
        'activeEnergyBurnedGoal="450" activeEnergyBurnedUnit="kcal" '
        f'appleExerciseTime="{rng.randint(5, 90)}" appleExerciseTimeGoal="30"/>'
    )
    return "\n".join(lines) + "\n"
