// Activity: steps and active minutes by day, newest first. A day shows its figure (the one typed
// by hand, else the source with the most steps, as the summary counts it) and, under it, what the
// other sources said ("Also: Apple Health, 7,940 steps"). A day typed by hand is saved through the
// outbox as Today's entries are: offline it is listed, marked "Waiting to sync", until the server
// has it. Saving a date typed before changes that day (the API keeps one typed figure a day); only
// typed days have Edit and a Delete that asks first. The import of an export: activity_upload.js.
import { all, api } from "./api.js";
import { whenImported } from "./activity_upload.js";
import { confirmed, onItemAction, openConfirm } from "./confirm.js";
import { onSubmit, reset } from "./entries.js";
import { uuid } from "./ids.js";
import { formatDate, today } from "./localtime.js";
import { nothingMissing, reveal, say, sayNotLoaded, showProblem } from "./messages.js";
import { kept, remove, save } from "./outbox.js";
import { $, element } from "./show.js";
import { words } from "./words.js";

const COLLECTION = "activity-days";
const MANUAL = "manual";
const form = $("activity-day");
const list = $("days");
const status = $("days-status");
const problem = $("days-problem");
const formStatus = $("activity-day-status");
const KEPT = "It syncs when you are back online.";
const sources = new Map(words().activity_sources ?? []);
const number = new Intl.NumberFormat();

let records = []; // every source's days: the server's, with what waits on this phone in their place
let waiting = new Set(); // the ids of those waiting to sync
let editing = null; // the typed day the form changes, or null while it adds one
let newId = uuid();
let loads = 0; // a later load (after a save, a sync) wins over one still on its way

const isManual = (record) => (record.source ?? MANUAL) === MANUAL;
const sourceOf = (record) => sources.get(record.source ?? MANUAL) ?? record.source;
const counted = (n, one, many) => `${number.format(n)} ${n === 1 ? one : many}`;
/** "8,210 steps · 35 active minutes", or the one of them the day has. */
const figures = (record) => [
  record.steps != null && counted(record.steps, "step", "steps"),
  record.active_minutes != null && counted(record.active_minutes, "active minute", "active minutes"),
].filter(Boolean).join(" · ");
/** The typed day a list item shows. */
const find = (listed) => records.find((record) => record.id === listed.dataset.id);
const typedOn = (date) => records.find((record) => record.date === date && isManual(record));

/** The days, newest first; each its records, the day's figure first (DESIGN §3 Activity day). */
function days() {
  const byDate = new Map();
  for (const record of records) byDate.set(record.date, [...(byDate.get(record.date) ?? []), record]);
  return [...byDate.keys()].sort().reverse().map((date) => byDate.get(date).sort(
    (a, b) => isManual(b) - isManual(a) || (b.steps ?? -1) - (a.steps ?? -1)));
}

function item([shown, ...others]) {
  const day = formatDate(shown.date);
  const name = element("p", { class: "plan-name" }, day);
  if (waiting.has(shown.id)) name.append(" ", element("span", { class: "tag" }, "Waiting to sync"));
  const details = element("div", { class: "grow" }, name, element("p", {}, `${figures(shown)} · ${sourceOf(shown)}`));
  for (const other of others) {
    details.append(element("p", { class: "small" }, `Also: ${sourceOf(other)}, ${figures(other)}`));
  }
  const listed = element("li", { class: "plan", "data-id": shown.id }, details);
  if (isManual(shown)) {
    listed.append(element("div", { class: "row plan-actions" },
      element("button", { type: "button", class: "secondary", "data-action": "edit", "aria-label": `Edit ${day}` }, "Edit"),
      element("button", { type: "button", class: "danger", "data-action": "delete", "aria-label": `Delete ${day}` }, "Delete")));
  }
  return listed;
}

function show(listed) {
  records = listed;
  const shown = days();
  list.replaceChildren(...shown.map(item));
  list.hidden = !shown.length;
  $("days-empty").hidden = Boolean(shown.length);
}

/** The server's days, with what this phone holds over them. */
async function load() {
  const turn = ++loads;
  $("retry").hidden = true;
  $("days-loading").hidden = records.length > 0; // said while nothing is listed yet
  say(problem, "");
  // A day deleted on this phone, its deletion still waiting, is not listed; one typed or changed
  // here shows as written here. A write the server refused leaves the server's copy.
  const outbox = (await kept()).filter((op) => op.collection === COLLECTION && !op.refused);
  const here = outbox.filter((op) => op.op === "put").map((op) => ({ ...op.body, id: op.id, source: MANUAL }));
  const replaced = new Set(outbox.map((op) => op.id));
  let stored = [];
  try {
    stored = await all(`/${COLLECTION}`);
  } catch (error) {
    if (turn !== loads) return;
    sayNotLoaded(problem, "Your days", error);
    $("retry").hidden = false;
  }
  if (turn !== loads) return;
  waiting = new Set(here.map((record) => record.id));
  show([...stored.filter((record) => !replaced.has(record.id)), ...here]);
  $("days-loading").hidden = true;
}

function startEditing(record) {
  editing = record;
  reset(form);
  form.elements.date.value = record.date;
  form.elements.steps.value = record.steps ?? "";
  form.elements.active_minutes.value = record.active_minutes ?? "";
  $("activity-day-title").textContent = `Change ${formatDate(record.date)}`;
  $("activity-day-save").textContent = "Save changes";
  $("activity-day-cancel").hidden = false;
  say(formStatus, "");
  $("activity-day-title").focus();
}

function stopEditing() {
  editing = null;
  reset(form);
  form.elements.date.value = today();
  $("activity-day-title").textContent = "Add a day";
  $("activity-day-save").textContent = "Save day";
  $("activity-day-cancel").hidden = true;
}

const figure = (field) => (field.value === "" ? null : Number(field.value));

/** PUT the day over ``target`` (with the version it was read at), or as a new typed day. */
async function put(target, body) {
  const sent = target?.version ? { ...body, version: target.version } : body;
  const result = await save(COLLECTION, target?.id ?? newId, sent, `Activity of ${formatDate(body.date)}`);
  if (!target) newId = uuid();
  return result;
}

/** The typed day of ``date`` the server has (typed on another device since the list was read). */
async function storedOn(date) {
  const { items } = await api(`/${COLLECTION}`, { query: { from: date, to: date } });
  return items.find(isManual);
}

async function send() {
  const body = { date: form.elements.date.value, steps: figure(form.elements.steps), active_minutes: figure(form.elements.active_minutes) };
  const none = body.steps === null && body.active_minutes === null;
  if (!nothingMissing(form, none ? [["steps", form.elements.steps, "Give the steps, the active minutes or both."]] : [])) return;
  try {
    let result;
    try {
      result = await put(editing ?? typedOn(body.date), body);
    } catch (error) {
      // 409 without `current`: this date has a typed day already, one this list does not know yet.
      const other = error.status === 409 && !error.current && !editing && (await storedOn(body.date));
      if (!other) throw error;
      result = await put(other, body);
    }
    const what = `${formatDate(body.date)}, ${figures(body)}.`;
    stopEditing();
    say(formStatus, result.kept ? `Saved on this phone: ${what} ${KEPT}` : `Saved: ${what}`);
    reveal(formStatus);
    await load();
  } catch (error) {
    if (error.status === 409 && error.current) {
      startEditing(error.current);
      say(formStatus, "This day was changed on another device. The form now shows that version: make your change again.", { problem: true });
      load();
    } else if (editing && (error.status === 404 || error.status === 410)) {
      stopEditing();
      say(formStatus, "This day was deleted on another device.", { problem: true });
      load();
    } else {
      say(formStatus, "");
      showProblem(form, error);
      return;
    }
    reveal(formStatus);
  }
}

async function deleteDay(listed) {
  const record = find(listed);
  const day = formatDate(record.date);
  let keptHere = false; // offline, the deletion waits on this phone
  const done = await confirmed(listed,
    async () => ({ kept: keptHere } = await remove(COLLECTION, record.id, `deletion of the activity of ${day}`)),
    (error) => say(status, `${day} was not deleted: ${error.message}`, { problem: true }));
  if (!done) return;
  if (editing?.id === record.id) stopEditing();
  waiting.delete(record.id);
  show(records.filter((other) => other.id !== record.id));
  say(status, keptHere ? `Deleted on this phone: what you typed for ${day}. ${KEPT}` : `Deleted: what you typed for ${day}.`);
  $("list-title").focus();
}

function askToDelete(listed) {
  const record = find(listed);
  const imported = records.some((other) => other.date === record.date && !isManual(other));
  openConfirm(listed, ".plan-actions", {
    prompt: `Delete what you typed for ${formatDate(record.date)}?`,
    hint: imported ? "What was imported for that day stays." : null,
  });
}

onSubmit(form, send);
stopEditing(); // today's date in the form
onItemAction(list, {
  edit: (listed) => startEditing(find(listed)),
  delete: askToDelete,
  confirm: deleteDay,
});
$("activity-day-cancel").addEventListener("click", () => {
  const id = editing?.id;
  stopEditing();
  say(formStatus, "");
  list.querySelector(`[data-id="${CSS.escape(id)}"] [data-action="edit"]`)?.focus();
});
$("retry").addEventListener("click", () => load());
// What this phone kept offline is on the server now; an import wrote days: list them again.
addEventListener("outbox:synced", () => load());
whenImported(() => load());

load();
