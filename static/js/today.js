// Today: the check-in, today's doses, last night's sleep and a therapy session.
// Each new entry keeps one client id until the server or the outbox has it, so a second tap
// never doubles it; without a connection it waits in the outbox (outbox.js) and syncs later.
import { all, api } from "./api.js";
import { followNow, onSubmit, pain, reset, sleep, therapy } from "./entries.js";
import { uuid } from "./ids.js";
import { addDays, formatDay, formatTime, isoLocal, localParts, now, today, wallClock } from "./localtime.js";
import { reveal, say, showProblem } from "./messages.js";
import { kept, save } from "./outbox.js";
import { $, duration, element, named } from "./show.js";

function sayWithLink(element, text, href, linkText, options) {
  say(element, text, options);
  if (href) element.append(" ", Object.assign(document.createElement("a"), { href, textContent: linkText }));
}

const KEPT = "It syncs when you are back online.";
/** "Saved: …" or, waiting in the outbox, "Saved on this phone: … It syncs when …". */
const saidSaved = (text, kept) => (kept ? `Saved on this phone: ${text} ${KEPT}` : `Saved: ${text}`);
/** "21:40", and the day when it is not today: "21:40 on Saturday 7 March". */
function at(iso) {
  const { date } = localParts(iso);
  return date === today() ? formatTime(iso) : `${formatTime(iso)} on ${formatDay(date)}`;
}

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
      reveal(status);
    } catch (problem) {
      say(status, "");
      showProblem(form, problem);
    }
  });
}

// The check-in: "When" is now unless the patient changes it.
const checkinStatus = $("checkin-status");
followNow($("checkin").elements.recorded_at);
logging($("checkin"), checkinStatus, {
  collection: "pain-entries", body: () => pain.read($("checkin")),
  what: (entry) => `check-in of ${at(entry.recorded_at)}, pain ${entry.intensity}`,
  saved: (entry, kept) => sayWithLink(checkinStatus,
    saidSaved(`pain ${entry.intensity} at ${at(entry.recorded_at)}.`, kept),
    kept ? null : "/history", "See History"),
});

// Sleep: last night (yesterday evening's) unless the patient fills in an earlier one.
const night = addDays(today(), -1);
const sleepStatus = $("sleep-status");
const nightOf = $("sleep").elements.night_of;
nightOf.value = nightOf.defaultValue = night;

/** Last night is logged (or waits to sync): the form is for another night. */
function lastNightDone() {
  $("sleep-details").querySelector("summary").textContent = "Log another night";
  nightOf.value = nightOf.defaultValue = addDays(night, -1);
}

function showSleep(entry) {
  const logged = $("sleep-logged");
  const efficiency = entry.sleep_efficiency == null ? "" : `, sleep efficiency ${Math.round(entry.sleep_efficiency)} %`;
  sayWithLink(logged, `Logged: ${duration(entry.total_sleep_minutes)} asleep${efficiency}.`,
    `/history/sleep-entries/${entry.id}`, "Edit");
  logged.hidden = false;
  lastNightDone();
}

logging($("sleep"), sleepStatus, {
  collection: "sleep-entries", body: () => sleep.read($("sleep")),
  what: (entry) => `sleep diary of the night of ${formatDay(entry.night_of)}`,
  saved: (entry, kept) => {
    $("sleep-details").open = false;
    if (entry.night_of === night) {
      if (kept) lastNightDone();
      else showSleep(entry);
    }
    const which = entry.night_of === night ? "last night's sleep" : `the night of ${formatDay(entry.night_of)}`;
    say(sleepStatus, saidSaved(`${which}.`, kept));
  },
});

// A therapy session: its start is now when the form opens, and any time up to now.
const therapyStatus = $("therapy-status");
logging($("therapy"), therapyStatus, {
  collection: "therapy-sessions", body: () => therapy.read($("therapy")),
  what: (session) => `therapy session of ${at(session.started_at)}`,
  saved: (session, kept) => {
    $("therapy-details").open = false;
    say(therapyStatus, saidSaved(`${session.duration_minutes} min session at ${at(session.started_at)}.`, kept));
  },
});
$("therapy-details").addEventListener("toggle", (event) => {
  const started = $("therapy").elements.started_at;
  if (event.target.open && !started.value) started.value = wallClock();
});

// Today's doses: an answered one says what happened and when, with "Change"; an unanswered one
// offers Taken and Skip; one due later than the next hour says when it is due.
const dosesStatus = $("doses-status");
const HOUR = 3_600_000; // DESIGN §4: taken within an hour of its time is on time
const button = (text, action, style = "") => element("button", { type: "button", class: style, "data-action": action }, text);
const refreshes = new Set();
setInterval(() => refreshes.forEach((refresh) => refresh()), 60_000);

function doseItem(dose, index) {
  const titleId = `dose-${index}`;
  const due = formatTime(dose.scheduled_for);
  const state = element("p", { class: "dose-state", id: `${titleId}-state` });
  const actions = element("div", { class: "row dose-actions" });
  const item = element("li", { class: "dose" },
    element("div", { role: "group", "aria-labelledby": titleId },
      element("p", { id: titleId, class: "dose-name" }, `${named(dose.name, dose.dose_amount, dose.dose_unit)} · ${due}`),
      state, actions));
  let view = "state"; // or "change" (the choices of an answered dose), "when" (asked when it was taken)
  let shown = "";
  const answered = () => dose.status === "taken" || dose.status === "skipped";
  const kind = () => (answered() ? dose.status : new Date(dose.scheduled_for) - Date.now() > HOUR ? "future" : "open");
  const outcome = () => (dose.status === "taken" ? `Taken at ${formatTime(dose.taken_at)}` : "Skipped");

  function show(next = "state") {
    view = next;
    shown = kind();
    item.className = `dose ${shown}`;
    actions.removeAttribute("role");
    actions.removeAttribute("aria-labelledby");
    if (view === "when") {
      state.textContent = "When did you take it?";
      actions.setAttribute("role", "group");
      actions.setAttribute("aria-labelledby", state.id);
      actions.replaceChildren(button(`At ${due}`, "at-time"), button("Just now", "now", "secondary"), button("Cancel", "cancel", "quiet"));
    } else if (view === "state" && answered()) {
      state.replaceChildren(element("span", { class: "dose-mark", "aria-hidden": "true" }), outcome(), " · ", button("Change", "change", "link"));
      actions.replaceChildren();
    } else if (view === "state" && shown === "future") {
      state.textContent = `Due at ${due}`;
      actions.replaceChildren();
    } else {
      const late = dose.status === "missed" ? "Not logged yet" : "Due now";
      state.textContent = answered() ? outcome() : new Date(dose.scheduled_for) > Date.now() ? `Due at ${due}` : late;
      actions.replaceChildren(button("Taken", "taken"), button("Skip", "skipped", "secondary"));
      if (answered()) actions.append(button("Cancel", "cancel", "quiet"));
    }
  }
  show();
  refreshes.add(() => view === "state" && kind() !== shown && show());

  const pending = { id: dose.dose_event_id ?? uuid() };
  async function answer(status, takenAt) {
    for (const other of item.querySelectorAll("button")) other.disabled = true;
    const body = { medication_id: dose.medication_id, status, scheduled_for: dose.scheduled_for, taken_at: takenAt };
    const what = `${dose.name} of ${due} ${status === "taken" ? "taken" : "skipped"}`;
    try {
      const { record, kept } = await save("medication-doses", pending.id, body, what);
      const saved = record ?? { ...body, id: pending.id };
      Object.assign(dose, { status: saved.status, taken_at: saved.taken_at, dose_event_id: saved.id });
      show();
      item.querySelector('[data-action="change"]').focus();
      const text = status === "taken" ? `${dose.name} taken at ${formatTime(saved.taken_at)}.` : `${dose.name} skipped.`;
      say(dosesStatus, kept ? saidSaved(text, true) : text);
    } catch (problem) {
      show();
      say(dosesStatus, `The dose was not saved: ${problem.message}`, { problem: true });
      reveal(dosesStatus);
    }
  }

  item.addEventListener("click", (event) => {
    const action = event.target.closest("button[data-action]")?.dataset.action;
    if (action === "change" || action === "cancel") {
      show(action === "change" ? "change" : "state");
      item.querySelector("button")?.focus();
    } else if (action === "taken" && Date.now() - new Date(dose.scheduled_for) > HOUR) {
      show("when"); // taken more than an hour after its time: at its time, or only now?
      actions.querySelector("button").focus();
    } else if (action === "skipped") {
      answer("skipped", null);
    } else if (action) {
      answer("taken", action === "at-time" ? isoLocal(dose.scheduled_for) : now());
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
    lastNightDone();
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
