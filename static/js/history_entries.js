// How History shows each kind of entry: one line, the local day it is listed under, and what it
// is called in a question or a message ("pain 6 at 21:40").
import { formatDate, formatTime, localParts } from "./localtime.js";
import { duration, named } from "./show.js";
import { words } from "./words.js";

const SIDES = { left: "left", right: "right", both: "both sides", center: "middle" };

const vocabulary = words();
const labels = Object.fromEntries(
  ["body_sites", "qualities", "modalities"].map((kind) => [kind, new Map(vocabulary[kind] ?? [])]),
);
const label = (kind, code) => labels[kind].get(code) ?? code;
const sleepQuality = (value) => vocabulary.sleep_quality?.[value];

function painEntry(entry) {
  const time = formatTime(entry.recorded_at);
  const sites = (entry.body_sites ?? []).map(({ site, side }) => {
    const name = label("body_sites", site);
    return side ? `${name} (${SIDES[side] ?? side})` : name;
  });
  const described = [...sites, ...(entry.qualities ?? []).map((q) => label("qualities", q))].join(", ");
  return {
    collection: "pain-entries", id: entry.id, day: entry.local_date ?? localParts(entry.recorded_at).date,
    at: entry.recorded_at, text: [`Pain ${entry.intensity}`, described, time].filter(Boolean).join(" · "),
    note: entry.note, what: `pain ${entry.intensity} at ${time}`,
  };
}

function sleepEntry(entry) {
  // A night belongs to the morning one got up: "last night" is what the patient logs today.
  const parts = [
    "Sleep",
    entry.total_sleep_minutes == null ? null : `${duration(entry.total_sleep_minutes)} asleep`,
    entry.sleep_efficiency == null ? null : `efficiency ${Math.round(entry.sleep_efficiency)} %`,
    sleepQuality(entry.quality) && `quality ${sleepQuality(entry.quality).toLowerCase()}`,
  ];
  return {
    collection: "sleep-entries", id: entry.id, day: localParts(entry.out_of_bed_at).date,
    at: entry.out_of_bed_at, text: parts.filter(Boolean).join(" · "), note: entry.note,
    what: `sleep, night of ${formatDate(entry.night_of)}`,
  };
}

function therapySession(session) {
  const time = formatTime(session.started_at);
  const modality = label("modalities", session.modality);
  const { pain_before: before, pain_after: after } = session;
  let pain = null;
  if (before != null && after != null) pain = `pain ${before} → ${after}`;
  else if (before != null) pain = `pain before ${before}`;
  else if (after != null) pain = `pain after ${after}`;
  const name = session.program ? `${modality} (${session.program})` : modality;
  return {
    collection: "therapy-sessions", id: session.id, day: session.local_date ?? localParts(session.started_at).date,
    at: session.started_at, text: [name, `${session.duration_minutes} min`, pain, time].filter(Boolean).join(" · "),
    note: session.note, what: `${modality} at ${time}`,
  };
}

/** "Pregabalin 75 mg · 08:00 dose · taken at 08:40": which scheduled dose it answered, or as needed. */
function medicationDose(dose, medications) {
  const medication = medications.get(dose.medication_id);
  const name = medication?.name ?? "A medication";
  const amount = dose.amount ?? medication?.dose_amount;
  const unit = dose.dose_unit ?? medication?.dose_unit;
  const shown = amount && unit ? named(name, amount, unit) : name;
  const at = dose.taken_at ?? dose.scheduled_for;
  const day = dose.local_date ?? localParts(at).date;
  let answered = "as needed";
  if (dose.scheduled_for) {
    // A dose taken after midnight is listed on the day it was taken: it says whose dose it was.
    const due = localParts(dose.scheduled_for).date;
    answered = `${formatTime(dose.scheduled_for)} dose${due === day ? "" : ` of ${formatDate(due)}`}`;
  }
  const taken = dose.status === "taken" ? `taken at ${formatTime(dose.taken_at)}` : "skipped";
  return {
    collection: "medication-doses", id: dose.id, day, at,
    text: [shown, answered, taken, dose.skip_reason].filter(Boolean).join(" · "),
    what: dose.scheduled_for ? `${name} ${formatTime(dose.scheduled_for)} dose ${taken}` : `${name} ${taken}`,
  };
}

/**
 * Each collection History lists: ``format(record, medications)``, its entry's line (the
 * medications by id name the doses) and, for "Nothing …", what its entries are called.
 */
export const KINDS = {
  "pain-entries": { format: painEntry, noun: "pain entries" },
  "sleep-entries": { format: sleepEntry, noun: "nights of sleep" },
  "medication-doses": { format: medicationDose, noun: "doses" },
  "therapy-sessions": { format: therapySession, noun: "therapy sessions" },
};
