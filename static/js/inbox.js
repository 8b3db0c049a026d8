// Inbox: the reminders the scheduler wrote for this patient, newest first, the unread marked.
//
// A medication reminder is answered here with Taken or Skip: the dose it was about (its rule's
// medication at the reminder's due_at), written as Today writes a dose (PUT /medication-doses/
// <client id>, waiting in the outbox without a connection). One id per dose, so a second tap, a
// retry or a replay stores one event; a dose already answered (on Today, another phone) shows
// that answer, and the server's refusal of a second event is read the same way. The other
// reminders link to the form they ask for. Answering or opening one marks it read (reads.js).
import { all, api } from "./api.js";
import { uuid } from "./ids.js";
import { addDays, formatDay, formatTime, localParts, now, today } from "./localtime.js";
import { say } from "./messages.js";
import { kept, save } from "./outbox.js";
import { markRead, sendWaiting, showUnread, unread, waitingReads } from "./reads.js";
import { $, element, named } from "./show.js";

const PAGE = 30;
const LATE_MS = 60 * 60 * 1000; // DESIGN §7: a dose answered over an hour late asks when
const OPEN_WAIT_MS = 1500; // a tap on a link waits this long at most for the read mark
const OPEN = {
  pain_log: "Open the check-in", sleep_log: "Fill in last night's sleep",
  therapy: "Log a session", medication: "Log it on Today",
};
const KEPT = "It syncs when you are back online.";

const list = $("inbox");
const earlier = $("show-earlier");
const retry = $("retry");
let cursor = null; // of the next page
const shown = []; // the reminders on the page
const unreadIds = new Set();
const rules = new Map(); // rule id -> rule
const names = new Map(); // medication id -> "Ibuprofen 400 mg"
const doses = new Map(); // "medication id@due instant" -> the answer of that dose

/** The dose a medication reminder asks about, or null (another kind, or its rule is gone). */
function askedDose(item) {
  const rule = rules.get(item.rule_id);
  if (item.kind !== "medication" || rule?.kind !== "medication" || !rule.medication_id) return null;
  return { medication_id: rule.medication_id, scheduled_for: item.due_at };
}

const doseKey = (medicationId, instant) => `${medicationId}@${Date.parse(instant)}`;

/** The one answer of a dose, shared by every reminder of it (follow-ups and snoozes too). */
function doseEntry(dose) {
  const key = doseKey(dose.medication_id, dose.scheduled_for);
  if (!doses.has(key)) {
    doses.set(key, {
      id: uuid(), medication_id: dose.medication_id, status: null, taken_at: null, waiting: false,
      busy: false, views: new Set(), notices: new Map(),
    });
  }
  return doses.get(key);
}

/** Read the answers of the reminders' doses: the server's, then those waiting on this phone. */
async function loadAnswers(items) {
  const asked = items.map(askedDose).filter(Boolean);
  if (!asked.length) return;
  const days = asked.map((dose) => localParts(dose.scheduled_for).date).sort();
  // An event is dated by when the dose was taken: a day either side finds one taken late or early.
  const query = { from: addDays(days[0], -1), to: addDays(days.at(-1), 1) };
  const [events, waiting] = await Promise.all([
    all("/medication-doses", query).catch(() => []), kept().catch(() => []),
  ]);
  const found = new Map();
  for (const event of events) {
    if (event.scheduled_for) found.set(doseKey(event.medication_id, event.scheduled_for), { ...event, waiting: false });
  }
  for (const { collection, op, id, body, refused } of waiting) {
    if (collection === "medication-doses" && op === "put" && body?.scheduled_for && !refused) {
      found.set(doseKey(body.medication_id, body.scheduled_for), { id, ...body, waiting: true });
    }
  }
  for (const dose of asked) {
    const entry = doseEntry(dose);
    const answer = found.get(doseKey(dose.medication_id, dose.scheduled_for));
    if (answer) Object.assign(entry, { id: answer.id, status: answer.status, taken_at: answer.taken_at, waiting: answer.waiting });
    else if (entry.waiting) Object.assign(entry, { status: null, taken_at: null, waiting: false }); // refused
    refresh(entry);
  }
}

function refresh(entry) {
  for (const view of entry.views) view();
}

/** "Taken at 08:05", "Skipped · waiting to sync", "Not logged yet". */
function describe(entry, dueAt) {
  const waiting = entry.waiting ? " · waiting to sync" : "";
  if (entry.status === "taken") return `Taken at ${formatTime(entry.taken_at)}${waiting}`;
  if (entry.status === "skipped") return `Skipped${waiting}`;
  return Date.parse(dueAt) > Date.now() ? `Due at ${formatTime(dueAt)}` : "Not logged yet";
}

/** "Today, 20:00", "Yesterday, 09:00", "Monday 7 December, 20:00". */
function received(instant) {
  const day = localParts(instant).date;
  const label = { [today()]: "Today", [addDays(today(), -1)]: "Yesterday" }[day] ?? formatDay(day);
  return `${label}, ${formatTime(instant)}`;
}

/** Every unread reminder of ``entry``'s dose is read once the dose is answered. */
function readDose(entry) {
  for (const [id, read] of entry.notices) {
    if (unreadIds.has(id)) read();
  }
}

function row(item) {
  const bodyId = `notice-${item.id}`;
  const tag = element("span", { class: "tag" }, "Unread");
  const said = element("p", { class: "status", role: "status" });
  const li = element("li", { class: "notice" },
    element("p", { class: "notice-head" },
      element("span", { class: "notice-title" }, item.title),
      element("span", { class: "small" }, received(item.created_at)), tag),
    element("p", { id: bodyId, class: "notice-body" }, item.body));
  const showRead = () => {
    li.classList.toggle("unread", unreadIds.has(item.id));
    tag.hidden = !unreadIds.has(item.id);
  };
  const read = () => {
    unreadIds.delete(item.id);
    showRead();
    showUnread(unreadIds.size);
    return markRead(item.id).catch(() => false);
  };
  showRead();
  const dose = askedDose(item);
  li.append(dose ? answers(item, dose, bodyId, read, said) : opener(item, read), said);
  return li;
}

/** A link to the form the reminder asks for; following it marks the reminder read. */
function opener(item, read) {
  const link = element("a", { class: "button secondary", href: item.url }, OPEN[item.kind] ?? "Open");
  link.addEventListener("click", async (event) => {
    if (!unreadIds.has(item.id)) return;
    const marked = read();
    if (event.button || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    // The mark is kept on this phone already; the page the link opens shows the count the server
    // has, so give the server a moment to have it too.
    event.preventDefault();
    await Promise.race([marked, new Promise((resolve) => { setTimeout(resolve, OPEN_WAIT_MS); })]);
    location.assign(link.href);
  });
  if (item.kind !== "medication") return link;
  return element("div", { class: "stack" },
    element("p", { class: "small" }, "This reminder or its medication has changed since: log the dose on Today."), link);
}

/** Taken and Skip for the dose a medication reminder asks about. */
function answers(item, dose, bodyId, read, said) {
  const entry = doseEntry(dose);
  entry.notices.set(item.id, read);
  const name = names.get(dose.medication_id) ?? "Your medication";
  const dueAt = formatTime(item.due_at);
  const state = element("p", { class: "dose-state" });
  const buttons = ["taken", "skipped"].map((status) => element("button", {
    type: "button", class: status === "taken" ? "" : "secondary", "data-status": status,
  }, status === "taken" ? "Taken" : "Skip"));
  const promptId = `when-${item.id}`;
  const question = element("div", { class: "when row", role: "group", "aria-labelledby": promptId, hidden: "" },
    element("p", { id: promptId, class: "when-prompt" }, "When did you take it?"),
    element("button", { type: "button", "data-when": "due" }, `At ${dueAt}`),
    element("button", { type: "button", class: "secondary", "data-when": "now" }, "Just now"),
    element("button", { type: "button", class: "quiet", "data-when": "cancel" }, "Cancel"));
  const group = element("div", { class: "dose-answer", role: "group", "aria-labelledby": bodyId },
    state, element("div", { class: "row" }, ...buttons), question);
  const view = () => {
    state.textContent = describe(entry, item.due_at);
    for (const button of buttons) {
      button.setAttribute("aria-pressed", String(button.dataset.status === entry.status));
      button.disabled = entry.busy || !question.hidden; // a second tap lands on nothing
    }
    for (const button of question.querySelectorAll("button")) button.disabled = entry.busy;
  };
  entry.views.add(view);
  view();
  if (entry.status && unreadIds.has(item.id)) read(); // answered elsewhere meanwhile

  const send = (status, takenAt) => answer(item, entry, { name, dueAt, said }, status, takenAt);
  group.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button || button.disabled || entry.busy) return;
    const { status, when } = button.dataset;
    if (status && status === entry.status) {
      say(said, `Already logged: ${describe(entry, item.due_at)}.`);
    } else if (status === "taken" && Date.now() - Date.parse(item.due_at) > LATE_MS) {
      question.hidden = false;
      view();
      question.querySelector("button").focus();
    } else if (status) {
      send(status, status === "taken" ? now() : null);
    } else {
      question.hidden = true;
      view();
      buttons[0].focus();
      if (when !== "cancel") send("taken", when === "due" ? item.due_at : now());
    }
  });
  return group;
}

/** Write the dose's answer under its one id; the server's or the phone's answer is then shown. */
async function answer(item, entry, { name, dueAt, said }, status, takenAt) {
  const body = { medication_id: entry.medication_id, status, scheduled_for: item.due_at, taken_at: takenAt };
  const what = `${name} of ${dueAt} ${status === "taken" ? "taken" : "skipped"}`;
  entry.busy = true;
  refresh(entry);
  try {
    const { record, kept: waits } = await save("medication-doses", entry.id, body, what);
    const saved = record ?? body;
    Object.assign(entry, { status: saved.status, taken_at: saved.taken_at, waiting: Boolean(waits) });
    const text = status === "taken" ? `${what} at ${formatTime(saved.taken_at)}.` : `${what}.`;
    say(said, waits ? `Saved on this phone: ${text} ${KEPT}` : `Saved: ${text}`);
    readDose(entry);
  } catch (problem) {
    if (problem.status === 409 && problem.fields?.scheduled_for && (await answeredElsewhere(item, entry))) {
      say(said, `This dose was logged already: ${describe(entry, item.due_at)}.`);
      readDose(entry);
    } else {
      say(said, `The dose was not saved: ${problem.message}`, { problem: true });
    }
  } finally {
    entry.busy = false;
    refresh(entry);
  }
}

/** After the server refused a second event of the dose: read the one it has. */
async function answeredElsewhere(item, entry) {
  const day = localParts(item.due_at).date;
  const events = await all("/medication-doses", { from: addDays(day, -1), to: addDays(day, 1) }).catch(() => []);
  const event = events.find((one) => one.medication_id === entry.medication_id
    && one.scheduled_for && Date.parse(one.scheduled_for) === Date.parse(item.due_at));
  if (!event) return false;
  Object.assign(entry, { id: event.id, status: event.status, taken_at: event.taken_at, waiting: false });
  return true;
}

async function show(page) {
  shown.push(...page.items);
  await loadAnswers(page.items);
  list.append(...page.items.map(row));
  cursor = page.next_cursor;
  earlier.hidden = !cursor;
  list.hidden = list.children.length === 0;
  $("inbox-empty").hidden = list.children.length > 0;
  showUnread(unreadIds.size);
}

async function start() {
  say($("inbox-problem"), "");
  retry.hidden = true;
  list.replaceChildren();
  shown.length = 0;
  sendWaiting().catch(() => {}); // marks left waiting by an earlier visit
  try {
    const [first, unreadItems, ruleList, medications] = await Promise.all([
      api("/notifications", { query: { limit: PAGE } }),
      unread().catch(() => null),
      api("/reminders").catch(() => []),
      all("/medications").catch(() => []),
    ]);
    for (const rule of ruleList) rules.set(rule.id, rule);
    for (const m of medications) names.set(m.id, named(m.name, m.dose_amount, m.dose_unit));
    const readHere = waitingReads();
    for (const item of unreadItems ?? first.items.filter((one) => !one.read_at)) {
      if (!readHere.has(item.id)) unreadIds.add(item.id);
    }
    await show(first);
  } catch (problem) {
    say($("inbox-problem"), problem.status === 0
      ? "You are offline, and this phone has no copy of your inbox yet. It shows when you are back online."
      : `Your reminders could not be loaded: ${problem.message}`, { problem: true });
    retry.hidden = false;
  } finally {
    $("inbox-loading").hidden = true;
  }
}

earlier.addEventListener("click", async () => {
  earlier.disabled = true;
  try {
    await show(await api("/notifications", { query: { limit: PAGE, cursor } }));
  } catch (problem) {
    say($("inbox-status"), `Earlier reminders could not be loaded: ${problem.message}`, { problem: true });
  } finally {
    earlier.disabled = false;
  }
});
retry.addEventListener("click", start);
// Answers kept on this phone went through (or were refused): show what the server has now.
addEventListener("outbox:synced", () => loadAnswers(shown));

start();
