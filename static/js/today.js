// Today: the check-in, today's doses, last night's sleep and a therapy session.
// Each new entry keeps one client id until the server has it, so a second tap never doubles it.
import { addDays, all, api, formatTime, localParts, now, say, showSaveProblem, today, uuid } from "./api.js";
import { onSubmit, pain, reset, sleep, therapy } from "./entries.js";
import { duration, element, named } from "./show.js";

const $ = (id) => document.getElementById(id);

function sayWithLink(element, text, href, linkText, options) {
  say(element, text, options);
  if (href) element.append(" ", Object.assign(document.createElement("a"), { href, textContent: linkText }));
}

/** Send a new entry under ``ids[key]``; a new id only once the server has it. */
async function create(collection, state, body) {
  const saved = await api(`/${collection}/${state.id}`, { method: "PUT", body });
  state.id = uuid();
  return saved;
}

/** Wire a form: check it, send it, say what was saved. */
function logging(form, status, { collection, what, body, saved }) {
  const state = { id: uuid() };
  onSubmit(form, async () => {
    try {
      const record = await create(collection, state, body());
      reset(form);
      saved(record);
    } catch (problem) {
      showSaveProblem(form, status, problem, `your ${what}`);
    }
  });
}

// The check-in
const checkinStatus = $("checkin-status");
logging($("checkin"), checkinStatus, {
  collection: "pain-entries", what: "check-in", body: () => pain.read($("checkin")),
  saved: (entry) => sayWithLink(checkinStatus,
    `Saved: pain ${entry.intensity} at ${formatTime(entry.recorded_at)}.`, "/history", "See History"),
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
  collection: "sleep-entries", what: "sleep diary", body: () => sleep.read($("sleep"), night),
  saved: (entry) => {
    showSleep(entry);
    say(sleepStatus, "Sleep saved.");
  },
});

// A therapy session, started today (or late last evening).
const therapyStatus = $("therapy-status");
logging($("therapy"), therapyStatus, {
  collection: "therapy-sessions", what: "session", body: () => therapy.read($("therapy"), today()),
  saved: (session) => say(therapyStatus, `Saved: ${session.duration_minutes} min session at ${formatTime(session.started_at)}.`),
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
    try {
      const saved = await api(`/medication-doses/${pending.id}`, {
        method: "PUT",
        body: {
          medication_id: dose.medication_id, status, scheduled_for: dose.scheduled_for,
          taken_at: status === "taken" ? now() : null,
        },
      });
      Object.assign(dose, { status: saved.status, taken_at: saved.taken_at, dose_event_id: saved.id });
      show();
      say(dosesStatus, status === "taken"
        ? `${dose.name} taken at ${formatTime(saved.taken_at)}.` : `${dose.name} skipped.`);
    } catch (problem) {
      say(dosesStatus, problem.status === 0
        ? "No connection: the dose is not saved yet. Tap again when you are online."
        : `The dose was not saved: ${problem.message}`, { problem: true });
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
    try {
      const saved = await create("medication-doses", pending, {
        medication_id: medication.id, status: "taken", scheduled_for: null, taken_at: now(),
      });
      say(dosesStatus, `${medication.name} taken at ${formatTime(saved.taken_at)}.`);
    } catch (problem) {
      say(dosesStatus, problem.status === 0
        ? "No connection: the dose is not saved yet. Tap again when you are online."
        : `The dose was not saved: ${problem.message}`, { problem: true });
    } finally {
      button.disabled = false;
    }
  });
  return item;
}

async function loadDoses() {
  try {
    const day = today();
    const [{ doses }, medications] = await Promise.all([api("/medications/today"), all("/medications")]);
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
  try {
    const { items } = await api("/sleep-entries", { query: { from: night, to: night } });
    if (items.length) showSleep(items[0]);
  } catch {
    // Offline: the form stays, and the server refuses a second diary for the night.
  }
}

loadDoses();
loadSleep();
