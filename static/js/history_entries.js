// How History shows each kind of entry: one line, the local day it is listed under, and what it
// is called in a question or a message ("pain 6 at 21:40"). Procedures writes its list with the
// same words.
import { formatDate, formatTime, localParts } from "./localtime.js";
import { duration, named } from "./show.js";
import { words } from "./words.js";

const SIDES = { left: "left", right: "right", both: "both sides", center: "middle" };

const vocabulary = words();
const labels = Object.fromEntries(
  ["body_sites", "qualities", "modalities", "procedure_kinds"].map((kind) => [kind, new Map(vocabulary[kind] ?? [])]),
);
/** The words of ``code`` in the vocabulary ``kind`` ("procedure_kinds"), or the code itself. */
export const label = (kind, code) => labels[kind].get(code) ?? code;
const sleepQuality = (value) => vocabulary.sleep_quality?.[value];

/** Body sites in words with their sides: ["Lower back (left)", "Hip"]. */
export const sitesInWords = (sites = []) => sites.map(({ site, side }) => {
  const name = label("body_sites", site);
  return side ? `${name} (${SIDES[side] ?? side})` : name;
});

/** The entry of ``record`` that happened ``at``: listed under its local day, with its note. */
const dated = (collection, record, at, text, what) => ({
  collection, id: record.id, day: record.local_date ?? localParts(at).date, at, text, note: record.note, what,
});

function painEntry(entry) {
  const time = formatTime(entry.recorded_at);
  const qualities = (entry.qualities ?? []).map((q) => label("qualities", q));
  const described = [...sitesInWords(entry.body_sites), ...qualities].join(", ");
  return dated("pain-entries", entry, entry.recorded_at,
    [`Pain ${entry.intensity}`, described, time].filter(Boolean).join(" · "), `pain ${entry.intensity} at ${time}`);
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
  return dated("therapy-sessions", session, session.started_at,
    [name, `${session.duration_minutes} min`, pain, time].filter(Boolean).join(" · "), `${modality} at ${time}`);
}

/** "Medial branch block · L4-L5 · Lower back (left) · 09:30". */
function procedureEntry(procedure) {
  const time = formatTime(procedure.performed_at);
  const kind = label("procedure_kinds", procedure.kind);
  const sites = sitesInWords(procedure.body_sites).join(", ");
  return dated("procedures", procedure, procedure.performed_at,
    [kind, procedure.level, sites, time].filter(Boolean).join(" · "), `${kind} at ${time}`);
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
  procedures: { format: procedureEntry, noun: "procedures" },
};
