// Activity: steps and active minutes by day, newest first. A day shows its figure (the one typed
// by hand, else the source with the most steps, as the summary counts it) and, under it, what the
// other sources said ("Also: Apple Health, 7,940 steps"). A day typed by hand is saved through the
// outbox as Today's entries are: offline it is listed, marked "Waiting to sync", until the server
// has it. Saving a date typed before changes that day (the API keeps one typed figure a day); only
// typed days have Edit and a Delete that asks first. The list and its form: record_list.js; the
// import of an export: activity_upload.js.
import { api } from "./api.js";
import { whenImported } from "./activity_upload.js";
import { formatDate, today } from "./localtime.js";
import { nothingMissing } from "./messages.js";
import { recordList } from "./record_list.js";
import { $, element } from "./show.js";
import { words } from "./words.js";

const COLLECTION = "activity-days";
const MANUAL = "manual";
const form = $("activity-day");
const sources = new Map(words().activity_sources ?? []);
const number = new Intl.NumberFormat();

const isManual = (record) => (record.source ?? MANUAL) === MANUAL;
const sourceOf = (record) => sources.get(record.source ?? MANUAL) ?? record.source;
const counted = (n, one, many) => `${number.format(n)} ${n === 1 ? one : many}`;
/** "8,210 steps · 35 active minutes", or the one of them the day has. */
const figures = (record) => [
  record.steps != null && counted(record.steps, "step", "steps"),
  record.active_minutes != null && counted(record.active_minutes, "active minute", "active minutes"),
].filter(Boolean).join(" · ");
const typedOn = (date) => days.records.find((record) => record.date === date && isManual(record));

/** The days, newest first; each its records, the day's figure first (DESIGN §3 Activity day). */
function byDay(records) {
  const byDate = new Map();
  for (const record of records) byDate.set(record.date, [...(byDate.get(record.date) ?? []), record]);
  return [...byDate.keys()].sort().reverse().map((date) => byDate.get(date).sort(
    (a, b) => isManual(b) - isManual(a) || (b.steps ?? -1) - (a.steps ?? -1)));
}

function item([shown, ...others], waits) {
  const day = formatDate(shown.date);
  const name = element("p", { class: "plan-name" }, day);
  if (waits(shown)) name.append(" ", element("span", { class: "tag" }, "Waiting to sync"));
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

const figure = (field) => (field.value === "" ? null : Number(field.value));

/** The typed day of ``date`` the server has (typed on another device since the list was read). */
async function storedOn(date) {
  const { items } = await api(`/${COLLECTION}`, { query: { from: date, to: date } });
  return items.find(isManual);
}

/** Save the form over the typed day of its date, or as a new one; null when it has no figure. */
async function write(editing, put) {
  const body = { date: form.elements.date.value, steps: figure(form.elements.steps), active_minutes: figure(form.elements.active_minutes) };
  const none = body.steps === null && body.active_minutes === null;
  if (!nothingMissing(form, none ? [["steps", form.elements.steps, "Give the steps, the active minutes or both."]] : [])) return null;
  const label = `Activity of ${formatDate(body.date)}`;
  let result;
  try {
    result = await put(editing ?? typedOn(body.date), body, label);
  } catch (error) {
    // 409 without `current`: this date has a typed day already, one this list does not know yet.
    const other = error.status === 409 && !error.current && !editing && (await storedOn(body.date));
    if (!other) throw error;
    result = await put(other, body, label);
  }
  return { kept: result.kept, what: `${formatDate(body.date)}, ${figures(body)}.` };
}

const days = recordList({
  collection: COLLECTION,
  noun: "day",
  form: "activity-day",
  list: "days",
  order: byDay,
  item,
  written: { source: MANUAL },
  fill(record) {
    form.elements.date.value = record.date;
    form.elements.steps.value = record.steps ?? "";
    form.elements.active_minutes.value = record.active_minutes ?? "";
  },
  blank: () => { form.elements.date.value = today(); },
  heading: (record) => `Change ${formatDate(record.date)}`,
  write,
  ask: (record) => ({
    prompt: `Delete what you typed for ${formatDate(record.date)}?`,
    hint: days.records.some((other) => other.date === record.date && !isManual(other))
      ? "What was imported for that day stays." : null,
  }),
  deletion(record) {
    const day = formatDate(record.date);
    return { name: day, what: `what you typed for ${day}`, label: `deletion of the activity of ${day}` };
  },
});
days.stopEditing(); // today's date in the form
whenImported(() => days.load()); // an import wrote days: list them again

days.load();
