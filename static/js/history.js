// History: the diary by local day, newest first, 30 days at a time; edit and delete each entry.
// "Show" narrows it to one kind, kept in the URL (?show=doses) so that a reload, the phone's kept
// copy and Back open it again: only that kind's lists are fetched. What waits on this phone to
// sync is listed in its day, marked, until the server's copy takes its place.
import { all, api } from "./api.js";
import { confirmed, onItemAction, openConfirm } from "./confirm.js";
import { KINDS } from "./history_entries.js";
import { addDays, formatDate, today } from "./localtime.js";
import { say, sayNotLoaded } from "./messages.js";
import { kept, remove } from "./outbox.js";
import { $, element } from "./show.js";

const BATCH_DAYS = 30;
// What the server derives from a body: stale or missing in a write that waits on the phone.
const SERVER_SET = ["local_date", "time_in_bed_minutes", "total_sleep_minutes", "sleep_efficiency"];

const choice = $("show-form");
const days = $("days");
const status = $("history-status");
const problem = $("history-problem");
const earlier = $("show-earlier");
const retry = $("retry");

const firstDay = today();
let oldestLoaded = addDays(firstDay, 1); // the day after the last batch's first day
let generation = 0; // a new choice or a sync starts again: what an older one loads is dropped
let medications = new Map();

/** The "Show" choice: its value, the collections it lists and what their entries are called. */
function chosen() {
  const radio = choice.querySelector('input[name="show"]:checked')
    ?? choice.querySelector('input[name="show"][value="all"]');
  const collections = radio.dataset.collections.split(" ").filter((name) => KINDS[name]);
  return {
    value: radio.value, collections,
    noun: collections.length === 1 ? KINDS[collections[0]].noun : "entries",
  };
}

/** The patient's medications by id, for the doses' names; those known already when offline. */
async function loadMedications() {
  try {
    medications = new Map((await all("/medications")).map((m) => [m.id, m]));
  } catch {
    // Without them a dose still shows, as "A medication".
  }
}

async function loadEntries(collections, from, to) {
  const lists = await Promise.all(collections.map((collection) => all(`/${collection}`, {
    // Sleep is listed by night_of, the evening before the morning it is shown under.
    from: collection === "sleep-entries" ? addDays(from, -1) : from, to,
  }).then((items) => items.map((item) => KINDS[collection].format(item, medications)))));
  return lists.flat();
}

/** Whether anything of ``collections`` was logged before ``from`` (each list is newest first). */
async function anythingBefore(collections, from) {
  const answers = await Promise.all(collections.map((collection) => api(`/${collection}`, {
    query: { to: addDays(from, collection === "sleep-entries" ? -2 : -1), limit: 1 },
  })));
  return answers.some((answer) => answer.items.length > 0);
}

/** The entries of ``collections`` logged or changed on this phone and waiting to sync. */
function waitingEntries(outbox, collections) {
  return outbox
    .filter((op) => op.op === "put" && !op.refused && collections.includes(op.collection))
    .map((op) => {
      const body = { ...op.body, id: op.id };
      for (const name of SERVER_SET) delete body[name];
      return { ...KINDS[op.collection].format(body, medications), waiting: true };
    });
}

function entryItem(entry) {
  const item = element("li", {
    class: entry.waiting ? "entry waiting" : "entry", "data-id": entry.id,
    "data-collection": entry.collection, "data-what": entry.what, "data-at": entry.at,
  });
  const body = element("div", { class: "grow" }, element("p", { class: "entry-text" }, entry.text));
  if (entry.waiting) body.append(element("p", { class: "small waiting-mark" }, "Waiting to sync"));
  if (entry.note) body.append(element("p", { class: "small entry-note" }, entry.note));
  const actions = element("div", { class: "entry-actions row" },
    element("a", {
      class: "button secondary", href: `/history/${entry.collection}/${entry.id}`,
      "aria-label": `Edit ${entry.what}`,
    }, "Edit"),
    element("button", {
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
    element("h2", { id, tabindex: "-1" }, formatDate(date)), element("ul", { class: "list card" }));
  // Batches arrive newest first, but keep the order right whatever arrives.
  const later = [...days.children].find((other) => other.dataset.day < date);
  days.insertBefore(section, later ?? null);
  return section.querySelector("ul");
}

/** Take ``item`` off the page, and its day with it when it was the day's last. */
function drop(item) {
  const list = item.parentElement;
  item.remove();
  if (!list.children.length) list.closest("section").remove();
}

/** Put each entry in its day, newest first; one already shown (the same id) gives way. */
function show(entries) {
  for (const entry of entries) {
    const shown = days.querySelector(`li[data-id="${CSS.escape(entry.id)}"]`);
    if (shown) drop(shown);
    const list = daySection(entry.day);
    const after = [...list.children].find((other) => new Date(other.dataset.at) < new Date(entry.at));
    list.insertBefore(entryItem(entry), after ?? null);
  }
}

async function loadBatch() {
  const batch = generation;
  const { collections, noun } = chosen();
  const to = addDays(oldestLoaded, -1);
  const from = addDays(to, -(BATCH_DAYS - 1));
  const newest = to === firstDay ? "9999-12-31" : to; // nothing logged later is left out
  const inBatch = (entry) => entry.day >= from && entry.day <= newest;
  earlier.disabled = true;
  retry.hidden = true;
  say(problem, "");
  let waiting = [];
  try {
    const outbox = await kept();
    if (collections.includes("medication-doses")) await loadMedications();
    // An entry deleted on this phone, its deletion still waiting to sync, is not shown; one
    // logged or changed on this phone shows as it was written there.
    waiting = waitingEntries(outbox, collections);
    const replaced = new Set([
      ...outbox.filter((op) => op.op === "delete").map((op) => op.id), ...waiting.map((entry) => entry.id),
    ]);
    waiting = waiting.filter(inBatch);
    const [entries, more] = await Promise.all([
      loadEntries(collections, from, to), anythingBefore(collections, from),
    ]);
    if (batch !== generation) return;
    oldestLoaded = from;
    const listed = [...entries.filter((entry) => inBatch(entry) && !replaced.has(entry.id)), ...waiting];
    show(listed);
    const empty = !days.children.length;
    $("history-empty").hidden = !empty;
    const none = noun === "entries" ? "Nothing" : `No ${noun}`;
    $("empty-text").textContent = more
      ? `${none} logged in the last ${BATCH_DAYS} days.`
      : `${none} in your diary yet.`;
    earlier.hidden = !more;
    $("diary-start").hidden = more || empty;
    if (to !== firstDay) {
      say(status, listed.length
        ? `Showing from ${formatDate(from)}.`
        : `Nothing logged from ${formatDate(from)} to ${formatDate(to)}.`);
    }
  } catch (error) {
    if (batch !== generation) return;
    show(waiting); // what this phone holds shows even when the server cannot be reached
    sayNotLoaded(problem, "Your history", error);
    retry.hidden = !earlier.hidden; // "Show earlier" tries again itself
  } finally {
    if (batch === generation) {
      $("history-loading").hidden = true;
      earlier.disabled = false;
    }
  }
}

/** Load the diary again from today, as the choice now asks. */
function restart() {
  generation += 1;
  oldestLoaded = addDays(firstDay, 1);
  days.replaceChildren();
  for (const id of ["history-empty", "show-earlier", "diary-start", "retry"]) $(id).hidden = true;
  $("history-loading").hidden = false;
  return loadBatch();
}

async function deleteEntry(item) {
  let kept = false; // offline, the deletion waits on this phone
  const { collection, id, what } = item.dataset;
  const done = await confirmed(item, async () => ({ kept } = await remove(collection, id, `deletion of ${what}`)),
    (error) => say(status, `The entry was not deleted: ${error.message}`, { problem: true }));
  if (!done) return;
  const section = item.closest("section");
  drop(item);
  say(status, kept ? "Deleted on this phone: it syncs when you are back online." : "Deleted.");
  const next = days.contains(section) ? section.querySelector("h2") : $("history-title");
  next.focus();
  if (!days.children.length && earlier.hidden) $("history-empty").hidden = false;
}

onItemAction(days, {
  delete: (item) => openConfirm(item, ".entry-actions", { prompt: "Delete this entry?" }),
  confirm: deleteEntry,
});
earlier.addEventListener("click", () => loadBatch());
retry.addEventListener("click", () => {
  $("history-loading").hidden = false;
  loadBatch();
});
// What this phone kept offline is on the server now: show the diary as the server has it.
addEventListener("outbox:synced", () => restart());

// The choice is the URL's: the page may be the phone's copy of /history kept under another one.
const asked = new URLSearchParams(location.search).get("show") ?? "all";
(choice.querySelector(`input[name="show"][value="${CSS.escape(asked)}"]`)
  ?? choice.querySelector('input[name="show"][value="all"]')).checked = true;
choice.querySelector("[data-without-script]").hidden = true;
choice.addEventListener("submit", (event) => event.preventDefault());
choice.addEventListener("change", () => {
  const { value, noun } = chosen();
  const url = new URL(location.href);
  if (value === "all") url.searchParams.delete("show");
  else url.searchParams.set("show", value);
  history.replaceState(null, "", url);
  say(status, value === "all" ? "Showing every entry." : `Showing ${noun} only.`);
  restart();
});

loadBatch();
