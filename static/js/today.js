// Today: the check-in, today's doses, last night's sleep and a therapy session.
// Each new entry keeps one client id until the server or the outbox has it, so a second tap
// never doubles it; without a connection it waits in the outbox (outbox.js) and syncs later.
import { addDays, all, api, formatTime, localParts, now, say, showProblem, today, uuid } from "./api.js";
import { onSubmit, pain, reset, sleep, therapy } from "./entries.js";
import { kept, save } from "./outbox.js";
import { duration, element, named } from "./show.js";

const $ = (id) => document.getElementById(id);

function sayWithLink(element, text, href, linkText, options) {
  say(element, text, options);
  if (href) element.append(" ", Object.assign(document.createElement("a"), { href, textContent: linkText }));
}

const KEPT = "It syncs when you are back online.";
/** "Saved: …" or, waiting in the outbox, "Saved on this phone: … It syncs when …". */
const saidSaved = (text, kept) => (kept ? `Saved on this phone: ${text} ${KEPT}` : `Saved: ${text}`);

/**
 * Save a new entry under ``state.id``; a new id only once the server or the outbox has it.
 * Resolves to ``{record}``, or ``{kept: true}`` when it waits in the outbox.
 */
async function create(collection, state, body, what) {
  const result = await save(collection, state.id, body, what);
  state.id = uuid();
  return result;
}

/** Wire a form: check it, save it, say what was saved (or kept on the phone). */
function logging(form, status, { collection, body, what, saved }) {
  const state = { id: uuid() };
  onSubmit(form, async () => {
    const entry = body();
    try {
      const { record, kept } = await create(collection, state, entry, what(entry));
      reset(form);
      saved(record ?? entry, kept);
    } catch (problem) {
      say(status, "");
      showProblem(form, problem);
    }
  });
}

// The check-in
const checkinStatus = $("checkin-status");
logging($("checkin"), checkinStatus, {
  collection: "pain-entries", body: () => pain.read($("checkin")),
  what: (entry) => `check-in of ${formatTime(entry.recorded_at)}, pain ${entry.intensity}`,
  saved: (entry, kept) => sayWithLink(checkinStatus,
    saidSaved(`pain ${entry.intensity} at ${formatTime(entry.recorded_at)}.`, kept),
    kept ? null : "/history", "See History"),
});

// Last night's sleep: the night of yesterday evening.
const night = addDays(today(), -1);
const sleepStatus = $("sleep-status");

function showSleep(entry) {
  const logged = $("sleep-logged");
  const efficiency = entry.sleep_efficiency == null ? "" : `, sleep efficiency ${Math.round(entry.sleep_efficiency)} %`;
  sayWithLink(logged, `Logged: ${duration(entry.total_sleep_minutes)} asleep${efficiency}.`,
    `/history/sleep-entries/${entry.id}`, "Edit");
  logged.hidden = false;
  $("sleep-details").hidden = true;
}

logging($("sleep"), sleepStatus, {
  collection: "sleep-entries", body: () => sleep.read($("sleep"), night),
  what: () => "last night's sleep diary",
  saved: (entry, kept) => {
    if (kept) {
      $("sleep-details").hidden = true;
      say(sleepStatus, saidSaved("last night's sleep.", true));
      return;
    }
    showSleep(entry);
    say(sleepStatus, "Sleep saved.");
  },
});

// A therapy session, started today (or late last evening).
const therapyStatus = $("therapy-status");
logging($("therapy"), therapyStatus, {
  collection: "therapy-sessions", body: () => therapy.read($("therapy"), today()),
  what: (session) => `therapy session of ${formatTime(session.started_at)}`,
  saved: (session, kept) => say(therapyStatus,
    saidSaved(`${session.duration_minutes} min session at ${formatTime(session.started_at)}.`, kept)),
});
$("therapy-details").addEventListener("toggle", (event) => {
  const started = $("therapy").elements.started_at;
  if (event.target.open && !started.value) started.value = localParts().time;
});

// Today's doses
const dosesStatus = $("doses-status");
const STATE = { taken: "Taken", skipped: "Skipped", pending: "Due", missed: "Not logged yet" };

function doseItem(dose, index) {
  const titleId = `dose-${index}`;
  const state = element("p", { class: "dose-state small" });
  const buttons = ["taken", "skipped"].map((status) => element("button", {
    type: "button", class: status === "taken" ? "" : "secondary", "data-status": status,
  }, status === "taken" ? "Taken" : "Skip"));
  const item = element("li", { class: "dose" },
    element("div", { role: "group", "aria-labelledby": titleId },
      element("p", { id: titleId, class: "dose-name" },
        `${named(dose.name, dose.dose_amount, dose.dose_unit)} · ${formatTime(dose.scheduled_for)}`),
      state, element("div", { class: "row" }, ...buttons)));
  const show = () => {
    state.textContent = dose.status === "taken" && dose.taken_at
      ? `Taken at ${formatTime(dose.taken_at)}` : STATE[dose.status] ?? dose.status;
    for (const button of buttons) button.setAttribute("aria-pressed", String(button.dataset.status === dose.status));
  };
  show();
  const pending = { id: dose.dose_event_id ?? uuid() };
  item.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-status]");
    if (!button) return;
    const status = button.dataset.status;
    for (const other of buttons) other.disabled = true;
    const body = {
      medication_id: dose.medication_id, status, scheduled_for: dose.scheduled_for,
      taken_at: status === "taken" ? now() : null,
    };
    const what = `${dose.name} of ${formatTime(dose.scheduled_for)} ${status === "taken" ? "taken" : "skipped"}`;
    try {
      const { record, kept } = await save("medication-doses", pending.id, body, what);
      const saved = record ?? { ...body, id: pending.id };
      Object.assign(dose, { status: saved.status, taken_at: saved.taken_at, dose_event_id: saved.id });
      show();
      const text = status === "taken" ? `${dose.name} taken at ${formatTime(saved.taken_at)}.` : `${dose.name} skipped.`;
      say(dosesStatus, kept ? saidSaved(text, true) : text);
    } catch (problem) {
      say(dosesStatus, `The dose was not saved: ${problem.message}`, { problem: true });
    } finally {
      for (const other of buttons) other.disabled = false;
    }
  });
  return item;
}

function asNeededItem(medication) {
  const titleId = `as-needed-${medication.id}`;
  const button = element("button", { type: "button", class: "secondary" }, "Took a dose");
  const item = element("li", { class: "dose" },
    element("div", { role: "group", "aria-labelledby": titleId },
      element("p", { id: titleId, class: "dose-name" },
        `${named(medication.name, medication.dose_amount, medication.dose_unit)} · as needed`),
      element("div", { class: "row" }, button)));
  const pending = { id: uuid() };
  button.addEventListener("click", async () => {
    button.disabled = true;
    const body = { medication_id: medication.id, status: "taken", scheduled_for: null, taken_at: now() };
    try {
      const { kept } = await create("medication-doses", pending, body,
        `${medication.name} taken at ${formatTime(body.taken_at)}`);
      const text = `${medication.name} taken at ${formatTime(body.taken_at)}.`;
      say(dosesStatus, kept ? saidSaved(text, true) : text);
    } catch (problem) {
      say(dosesStatus, `The dose was not saved: ${problem.message}`, { problem: true });
    } finally {
      button.disabled = false;
    }
  });
  return item;
}

async function loadDoses() {
  try {
    const day = today();
    const [{ doses }, medications, waiting] = await Promise.all([
      api("/medications/today"), all("/medications"), kept(),
    ]);
    // A dose answered on this phone, its answer still waiting to sync, shows that answer.
    for (const dose of doses) {
      const answer = waiting.find(({ collection, body }) => collection === "medication-doses" && body
        && body.medication_id === dose.medication_id && body.scheduled_for === dose.scheduled_for);
      if (answer) Object.assign(dose, { status: answer.body.status, taken_at: answer.body.taken_at, dose_event_id: answer.id });
    }
    const asNeeded = medications.filter((m) => m.as_needed && m.start_date <= day && (!m.end_date || m.end_date >= day));
    $("doses").replaceChildren(...doses.map(doseItem));
    $("as-needed").replaceChildren(...asNeeded.map(asNeededItem));
    $("doses-empty").hidden = doses.length + asNeeded.length > 0;
  } catch (problem) {
    say(dosesStatus, problem.status === 0
      ? "You are offline: today's doses will show when you are back online."
      : `Today's doses could not be loaded: ${problem.message}`, { problem: true });
  } finally {
    $("doses-loading").hidden = true;
  }
}

async function loadSleep() {
  const waiting = (await kept()).find(({ collection, body }) => collection === "sleep-entries" && body?.night_of === night);
  if (waiting) {
    $("sleep-details").hidden = true;
    say(sleepStatus, saidSaved("last night's sleep.", true));
    return;
  }
  try {
    const { items } = await api("/sleep-entries", { query: { from: night, to: night } });
    if (items.length) showSleep(items[0]);
  } catch {
    // Offline: the form stays, and the server refuses a second diary for the night.
  }
}

loadDoses();
loadSleep();
