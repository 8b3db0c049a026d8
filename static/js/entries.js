// The forms of templates/forms.html: read one into an API body, or fill one from a record.
// Today and Procedures log with them and the edit page changes an entry with them.
import { ApiProblem } from "./api.js";
import { addDays, fromWallClock, localParts, now, today, wallClock, zoned } from "./localtime.js";
import { clearProblems } from "./messages.js";

const MISSING = {
  intensity: "Choose how strong your pain is, from 0 to 10.",
  modality: "Choose the therapy.",
  kind: "Choose what was done.",
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
  for (const field of form.querySelectorAll("[required]:not(:disabled)")) {
    if (!field.value.trim()) empty.set(field.name, field);
  }
  const future = [...form.querySelectorAll("[data-not-future]:not(:disabled)")].filter((field) => field.value
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
  showChosen(form);
  form.addEventListener("change", () => showChosen(form));
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

/**
 * Show each part of ``form`` that is for one choice only (data-only-for="kind scs_trial") while
 * that is chosen; a part hidden is neither required nor sent: its fields are disabled.
 */
function showChosen(form) {
  for (const part of form.querySelectorAll("[data-only-for]")) {
    const [name, value] = part.dataset.onlyFor.split(" ");
    part.hidden = form.elements[name].value !== value;
    for (const field of part.querySelectorAll("input, select, textarea")) field.disabled = part.hidden;
  }
}

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
  showChosen(form);
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

/** Check the chips of ``sites``; "More body sites" opens when one of its own is checked. */
function checkSites(form, sites) {
  const checked = new Set(sites.map((site) => site.site));
  for (const box of form.querySelectorAll('[name="body_sites"]')) box.checked = checked.has(box.value);
  form.querySelector(".more-sites").open = !!form.querySelector(".more-sites input:checked");
}

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
    checkSites(form, record.body_sites);
    for (const box of form.querySelectorAll('[name="qualities"]')) box.checked = record.qualities.includes(box.value);
    for (const range of form.querySelectorAll("[data-optional-range]")) setRange(range, record[range.name]);
    form.elements.note.value = record.note ?? "";
    // Show what is filled in: a quality, a slider or a note.
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

const MOST_SITES = 4;
const LONGEST_TRIAL_DAYS = 30;
const DAY = 86_400_000;

/**
 * The server's rules on a procedure that a field's own limits do not keep (DESIGN §3), thrown as
 * its 422 would be: a procedure kept offline is then one the server takes when it syncs.
 */
function checkProcedure(body) {
  const fields = {};
  if (body.body_sites.length > MOST_SITES) fields.body_sites = [`Choose up to ${MOST_SITES} sites.`];
  const relief = body.reported_relief_percent;
  if (relief !== null && !(Number.isInteger(relief) && relief >= 0 && relief <= 100)) {
    fields.reported_relief_percent = ["Give a whole number from 0 to 100, or leave it empty."];
  }
  if (body.trial_ends_at) {
    const days = (new Date(body.trial_ends_at) - new Date(body.performed_at)) / DAY;
    if (days <= 0) fields.trial_ends_at = ["The trial ends after it began: choose a later time."];
    else if (days > LONGEST_TRIAL_DAYS) fields.trial_ends_at = [`A trial lasts at most ${LONGEST_TRIAL_DAYS} days.`];
  }
  if (Object.keys(fields).length) {
    throw new ApiProblem({ status: 422, code: "validation_error", message: "Check the fields marked.", fields });
  }
}

export const procedure = {
  /** A site kept from ``record`` keeps its side unless the patient chose another "Side". */
  read(form, record = {}) {
    const data = new FormData(form);
    const side = data.get("side") || null;
    const sideKept = (side ?? "") === form.elements.side.dataset.filled;
    const kept = new Map((record.body_sites ?? []).map((site) => [site.site, site]));
    const trial = form.elements.trial_ends_at;
    const body = {
      kind: data.get("kind"),
      performed_at: readWhen(form.elements.performed_at),
      trial_ends_at: trial.disabled ? null : readWhen(trial),
      body_sites: data.getAll("body_sites").map((site) => (sideKept && kept.get(site)) || { site, side }),
      level: text(data.get("level")),
      provider: text(data.get("provider")),
      reported_relief_percent: number(data.get("reported_relief_percent")),
      note: text(data.get("note")),
    };
    checkProcedure(body);
    return body;
  },
  fill(form, record) {
    form.elements.kind.value = record.kind;
    setWhen(form.elements.performed_at, record.performed_at);
    if (record.trial_ends_at) setWhen(form.elements.trial_ends_at, record.trial_ends_at);
    checkSites(form, record.body_sites);
    // One side for all the sites, as the form has it; sites with different sides show none.
    const sides = new Set(record.body_sites.map((site) => site.side ?? ""));
    const side = sides.size === 1 ? [...sides][0] : "";
    form.elements.side.value = side;
    form.elements.side.dataset.filled = side;
    for (const name of ["level", "provider", "reported_relief_percent", "note"]) {
      form.elements[name].value = record[name] ?? "";
    }
    showChosen(form);
  },
};
