// The forms of templates/forms.html: read one into an API body, or fill one from a record.
// Today logs with them and the edit page changes an entry with them.
import { addDays, fromWallClock, localParts, now, today, wallClock, zoned } from "./localtime.js";
import { clearProblems } from "./messages.js";

const MISSING = {
  intensity: "Choose how strong your pain is, from 0 to 10.",
  modality: "Choose the therapy.",
};
const FUTURE = "This is still to come: choose a time up to now.";

/** Put a message next to each empty required field; true when the form can be sent. */
function complete(form) {
  clearProblems(form);
  const empty = new Map();
  for (const group of form.querySelectorAll('[role="radiogroup"][aria-required="true"]')) {
    const name = group.querySelector("input").name;
    if (!form.elements[name].value) empty.set(name, group.querySelector("input"));
  }
  for (const field of form.querySelectorAll("[required]")) {
    if (!field.value.trim()) empty.set(field.name, field);
  }
  const future = [...form.querySelectorAll("[data-not-future]")].filter((field) => field.value
    && !empty.has(field.name) && field.value > (field.type === "date" ? today() : wallClock()));
  for (const [name, field] of [...empty, ...future.map((field) => [field.name, field])]) {
    const slot = form.querySelector(`[data-error-for="${name}"]`);
    if (slot) slot.textContent = empty.has(name) ? (MISSING[name] ?? "Fill this in.") : FUTURE;
    field.setAttribute("aria-invalid", "true");
  }
  (empty.values().next().value ?? future[0])?.focus();
  return empty.size + future.length === 0;
}

/**
 * Send the form with ``send()`` when it is complete; its Save button is disabled until the
 * answer, so a second tap sends nothing. The PEG sliders are watched too.
 */
export function onSubmit(form, send) {
  watchRanges(form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!complete(form)) return;
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      await send();
    } finally {
      button.disabled = false;
    }
  });
}

const number = (value) => (value === null || value === "" ? null : Number(value));
const text = (value) => value?.trim() || null;

/** The PEG sliders count only once moved: an untouched slider is no answer, not a 0. */
function watchRanges(form) {
  form.addEventListener("input", (event) => {
    const range = event.target.closest("[data-optional-range]");
    if (!range) return;
    range.dataset.moved = "true";
    range.nextElementSibling.textContent = range.value;
  });
}

function setRange(range, value) {
  const moved = value !== null && value !== undefined;
  range.value = moved ? value : 0;
  range.dataset.moved = moved ? "true" : "";
  range.nextElementSibling.textContent = moved ? value : "–";
}

/** Back to a blank form: nothing chosen, detail closed, sliders untouched, "When" now. */
export function reset(form) {
  form.reset();
  clearProblems(form);
  for (const range of form.querySelectorAll("[data-optional-range]")) setRange(range, null);
  for (const details of form.querySelectorAll("details")) details.open = false;
  for (const field of form.querySelectorAll("[data-follows-now]")) followNow(field);
}

// Date and time fields (DESIGN §7 "entries can be dated"): "When" of a check-in shows now and
// follows the clock until the patient changes it; none of them goes past now.

/** Let ``field`` show now, kept current each minute, until the patient changes it. */
export function followNow(field) {
  field.dataset.now = "true";
  field.value = wallClock();
  delete field.dataset.at;
  if (field.dataset.watched) return;
  field.dataset.watched = "true";
  field.addEventListener("input", () => { field.dataset.now = ""; });
}

/** Show ``iso`` in a datetime-local ``field``; read back unchanged, it is ``iso`` to the second. */
function setWhen(field, iso) {
  field.dataset.now = "";
  field.dataset.at = iso;
  field.value = wallClock(iso);
}

/** The instant a datetime-local ``field`` holds, as ISO 8601 with the patient's offset. */
function readWhen(field) {
  if (field.dataset.now === "true") return now();
  if (field.dataset.at && field.value === wallClock(field.dataset.at)) return field.dataset.at;
  return fromWallClock(field.value);
}

/** Today's date and now on the clock as the latest each dated field takes. */
function keepLimits() {
  for (const field of document.querySelectorAll("[data-not-future]")) {
    if (field.dataset.now === "true") field.value = wallClock();
    field.max = field.type === "date" ? today() : wallClock();
  }
}
keepLimits();
setInterval(keepLimits, 30_000);

export const pain = {
  read(form, record = {}) {
    const data = new FormData(form);
    // A site kept from the record keeps its side and intensity.
    const kept = new Map((record.body_sites ?? []).map((site) => [site.site, site]));
    const when = form.elements.recorded_at;
    const body = {
      recorded_at: when ? readWhen(when) : (record.recorded_at ?? now()),
      intensity: Number(data.get("intensity")),
      body_sites: data.getAll("body_sites").map((site) => kept.get(site) ?? { site }),
      qualities: data.getAll("qualities"),
      note: text(data.get("note")),
    };
    for (const range of form.querySelectorAll("[data-optional-range]")) {
      body[range.name] = range.dataset.moved ? Number(range.value) : null;
    }
    return body;
  },
  fill(form, record) {
    if (form.elements.recorded_at) setWhen(form.elements.recorded_at, record.recorded_at);
    form.elements.intensity.value = String(record.intensity);
    const sites = new Set(record.body_sites.map((site) => site.site));
    for (const box of form.querySelectorAll('[name="body_sites"]')) box.checked = sites.has(box.value);
    for (const box of form.querySelectorAll('[name="qualities"]')) box.checked = record.qualities.includes(box.value);
    for (const range of form.querySelectorAll("[data-optional-range]")) setRange(range, record[range.name]);
    form.elements.note.value = record.note ?? "";
    // Show what is filled in: a site beyond the common ones, a quality, a slider or a note.
    form.querySelector(".more-sites").open = !!form.querySelector(".more-sites input:checked");
    form.querySelector(".detail").open = !!(record.qualities.length || record.note
      || record.enjoyment_interference != null || record.activity_interference != null);
  },
};

const TIMES = ["in_bed_at", "tried_to_sleep_at", "final_awakening_at", "out_of_bed_at"];

/** A clock time of the night of ``night``: before noon is the morning after. */
const ofNight = (night, time) => zoned(time >= "12:00" ? night : addDays(night, 1), time);

export const sleep = {
  /** ``night`` is the night of the entry when the form has no "Night of" field. */
  read(form, night) {
    const data = new FormData(form);
    night = data.get("night_of") || night;
    const body = { night_of: night };
    for (const name of TIMES) body[name] = ofNight(night, data.get(name));
    Object.assign(body, {
      sleep_latency_minutes: number(data.get("sleep_latency_minutes")),
      wake_after_sleep_onset_minutes: number(data.get("wake_after_sleep_onset_minutes")),
      awakenings: number(data.get("awakenings")),
      quality: number(data.get("quality")),
      note: text(data.get("note")),
    });
    return body;
  },
  fill(form, record) {
    form.elements.night_of.value = record.night_of;
    for (const name of TIMES) form.elements[name].value = localParts(record[name]).time;
    for (const name of ["sleep_latency_minutes", "wake_after_sleep_onset_minutes", "awakenings"]) {
      form.elements[name].value = record[name] ?? "";
    }
    form.elements.quality.value = record.quality == null ? "" : String(record.quality);
    form.elements.note.value = record.note ?? "";
  },
};

export const therapy = {
  read(form) {
    const data = new FormData(form);
    return {
      modality: data.get("modality"),
      started_at: readWhen(form.elements.started_at),
      duration_minutes: number(data.get("duration_minutes")),
      pain_before: number(data.get("pain_before")),
      pain_after: number(data.get("pain_after")),
      program: text(data.get("program")),
      note: text(data.get("note")),
    };
  },
  fill(form, record) {
    form.elements.modality.value = record.modality;
    setWhen(form.elements.started_at, record.started_at);
    form.elements.duration_minutes.value = record.duration_minutes;
    for (const name of ["pain_before", "pain_after"]) {
      form.elements[name].value = record[name] == null ? "" : String(record[name]);
    }
    form.elements.program.value = record.program ?? "";
    form.elements.note.value = record.note ?? "";
  },
};
