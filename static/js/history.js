// History: the diary by local day, newest first, 30 days at a time; edit and delete each entry.
import { addDays, all, api, formatDay, formatTime, localParts, say, today, words } from "./api.js";
import { kept, remove } from "./outbox.js";
import { closeConfirm, duration, element, openConfirm } from "./show.js";

const BATCH_DAYS = 30;
const SIDES = { left: "left", right: "right", both: "both sides", center: "middle" };

const vocabulary = words();
const labels = Object.fromEntries(
  ["body_sites", "qualities", "modalities"].map((kind) => [kind, new Map(vocabulary[kind] ?? [])]),
);
const label = (kind, code) => labels[kind].get(code) ?? code;
const sleepQuality = (value) => vocabulary.sleep_quality?.[value];

const $ = (id) => document.getElementById(id);
const days = $("days");
const status = $("history-status");
const problem = $("history-problem");
const earlier = $("show-earlier");
const retry = $("retry");

const firstDay = today();
const currentYear = firstDay.slice(0, 4);
let oldestLoaded = addDays(firstDay, 1); // the day after the last batch's first day
let medicationNames = null;

function dayHeading(date) {
  const shown = formatDay(date);
  return date.slice(0, 4) === currentYear ? shown : `${shown} ${date.slice(0, 4)}`;
}

function painEntry(entry) {
  const time = formatTime(entry.recorded_at);
  const sites = entry.body_sites.map(({ site, side }) => {
    const name = label("body_sites", site);
    return side ? `${name} (${SIDES[side] ?? side})` : name;
  });
  const described = [...sites, ...entry.qualities.map((q) => label("qualities", q))].join(", ");
  return {
    collection: "pain-entries", id: entry.id, day: entry.local_date, at: entry.recorded_at,
    text: [`Pain ${entry.intensity}`, described, time].filter(Boolean).join(" · "),
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
    what: `sleep, night of ${dayHeading(entry.night_of)}`,
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
    collection: "therapy-sessions", id: session.id, day: session.local_date, at: session.started_at,
    text: [name, `${session.duration_minutes} min`, pain, time].filter(Boolean).join(" · "),
    note: session.note, what: `${modality} at ${time}`,
  };
}

function medicationDose(dose) {
  const name = medicationNames.get(dose.medication_id) ?? "A medication";
  const at = dose.taken_at ?? dose.scheduled_for ?? dose.created_at;
  let text;
  if (dose.status === "taken") {
    text = `${name} taken ${formatTime(dose.taken_at)}`;
  } else {
    const due = dose.scheduled_for ? ` (${formatTime(dose.scheduled_for)} dose)` : "";
    text = `${name} skipped${due}`;
  }
  return {
    collection: "medication-doses", id: dose.id, day: dose.local_date ?? localParts(at).date, at,
    text: dose.skip_reason ? `${text} · ${dose.skip_reason}` : text,
    what: dose.status === "taken" ? `${name} taken at ${formatTime(dose.taken_at)}` : `${name} skipped${
      dose.scheduled_for ? ` at ${formatTime(dose.scheduled_for)}` : ""}`,
  };
}

async function loadEntries(from, to) {
  medicationNames ??= new Map((await all("/medications")).map((m) => [m.id, m.name]));
  const [pain, sleep, therapy, doses] = await Promise.all([
    all("/pain-entries", { from, to }),
    // Sleep is listed by night_of, the evening before the morning it is shown under.
    all("/sleep-entries", { from: addDays(from, -1), to }),
    all("/therapy-sessions", { from, to }),
    all("/medication-doses", { from, to }),
  ]);
  const newest = to === firstDay ? "9999-12-31" : to; // nothing logged later is left out
  return [
    ...pain.map(painEntry),
    ...sleep.map(sleepEntry).filter((entry) => entry.day >= from && entry.day <= newest),
    ...therapy.map(therapySession),
    ...doses.map(medicationDose),
  ];
}

/** Whether anything was logged before ``from`` (each list is newest first). */
async function anythingBefore(from) {
  const query = { to: addDays(from, -1), limit: 1 };
  const answers = await Promise.all([
    api("/pain-entries", { query }),
    api("/sleep-entries", { query: { ...query, to: addDays(from, -2) } }),
    api("/therapy-sessions", { query }),
    api("/medication-doses", { query }),
  ]);
  return answers.some((answer) => answer.items.length > 0);
}

function entryItem(entry) {
  const item = element("li", {
    class: "entry", "data-id": entry.id, "data-collection": entry.collection, "data-what": entry.what,
  });
  const body = element("div", { class: "grow" }, element("p", { class: "entry-text" }, entry.text));
  if (entry.note) body.append(element("p", { class: "small entry-note" }, entry.note));
  const actions = element("div", { class: "entry-actions row" });
  if (entry.collection !== "medication-doses") {
    actions.append(element("a", {
      class: "button secondary", href: `/history/${entry.collection}/${entry.id}`,
      "aria-label": `Edit ${entry.what}`,
    }, "Edit"));
  }
  actions.append(element("button", {
    type: "button", class: "danger", "data-action": "delete", "aria-label": `Delete ${entry.what}`,
  }, "Delete"));
  item.append(element("div", { class: "row entry-row" }, body, actions));
  return item;
}

function daySection(date) {
  const existing = days.querySelector(`section[data-day="${date}"]`);
  if (existing) return existing.querySelector("ul");
  const id = `day-${date}`;
  const section = element("section", { class: "day", "data-day": date, "aria-labelledby": id },
    element("h2", { id, tabindex: "-1" }, dayHeading(date)), element("ul", { class: "list card" }));
  // Batches arrive newest first, but keep the order right whatever arrives.
  const later = [...days.children].find((other) => other.dataset.day < date);
  days.insertBefore(section, later ?? null);
  return section.querySelector("ul");
}

function show(entries) {
  entries.sort((a, b) => new Date(b.at) - new Date(a.at));
  for (const entry of entries) daySection(entry.day).append(entryItem(entry));
}

async function loadBatch() {
  const to = addDays(oldestLoaded, -1);
  const from = addDays(to, -(BATCH_DAYS - 1));
  earlier.disabled = true;
  retry.hidden = true;
  say(problem, "");
  try {
    // An entry deleted on this phone, its deletion still waiting to sync, is not shown.
    const deleting = new Set((await kept()).filter((op) => op.op === "delete").map((op) => op.id));
    const entries = (await loadEntries(from, to)).filter((entry) => !deleting.has(entry.id));
    const more = await anythingBefore(from);
    oldestLoaded = from;
    show(entries);
    const empty = !days.children.length;
    $("history-empty").hidden = !empty;
    $("empty-text").textContent = more
      ? `Nothing logged in the last ${BATCH_DAYS} days.`
      : "Nothing in your diary yet.";
    earlier.hidden = !more;
    $("diary-start").hidden = more || empty;
    if (to !== firstDay) {
      say(status, entries.length
        ? `Showing from ${dayHeading(from)}.`
        : `Nothing logged from ${dayHeading(from)} to ${dayHeading(to)}.`);
    }
  } catch (error) {
    const offline = error.status === 0;
    say(problem, offline
      ? "You are offline. Your history will show when you are back online."
      : `Your history could not be loaded: ${error.message}`, { problem: true });
    retry.hidden = days.children.length > 0;
  } finally {
    $("history-loading").hidden = true;
    earlier.disabled = false;
  }
}

async function deleteEntry(item) {
  const buttons = item.querySelectorAll(".confirm button");
  for (const button of buttons) button.disabled = true;
  let kept = false;
  try {
    ({ kept } = await remove(item.dataset.collection, item.dataset.id, `deletion of ${item.dataset.what}`));
  } catch (error) {
    // Gone already (deleted on another device): what the patient asked for is true.
    if (error.status !== 404 && error.status !== 410) {
      for (const button of buttons) button.disabled = false;
      say(status, `The entry was not deleted: ${error.message}`, { problem: true });
      return;
    }
  }
  const list = item.parentElement;
  const section = list.closest("section");
  item.remove();
  if (!list.children.length) section.remove();
  say(status, kept ? "Deleted on this phone: it syncs when you are back online." : "Deleted.");
  const next = days.contains(section) ? section.querySelector("h2") : $("history-title");
  next.focus();
  if (!days.children.length && earlier.hidden) $("history-empty").hidden = false;
}

days.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  const item = button.closest("li");
  if (button.dataset.action === "delete") openConfirm(item, ".entry-actions", { prompt: "Delete this entry?" });
  else if (button.dataset.action === "cancel") closeConfirm(item, { focus: true });
  else if (button.dataset.action === "confirm") deleteEntry(item);
});
earlier.addEventListener("click", () => loadBatch());
// What this phone kept offline is on the server now: show the diary as the server has it.
addEventListener("outbox:synced", () => {
  days.replaceChildren();
  oldestLoaded = addDays(firstDay, 1);
  loadBatch();
});
retry.addEventListener("click", () => {
  $("history-loading").hidden = false;
  loadBatch();
});

loadBatch();
