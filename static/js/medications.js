// Medications: the list with each one's dose and schedule in words; add, change, stop, delete.
// A new medication keeps one client id until the server has it, so a second tap never doubles it;
// a change carries the version read, so one made on another device meanwhile is not overwritten.
import { api } from "./api.js";
import { uuid } from "./ids.js";
import { listEditor } from "./list_editor.js";
import { today } from "./localtime.js";
import { nothingMissing, say } from "./messages.js";
import { checkDays, checkedDays, daysInWords, joined, timeRows } from "./plans.js";
import { $, dose, element } from "./show.js";
import { words } from "./words.js";

const MAX_TIMES = 12;
const MISSING = {
  name: "Give the medication's name.",
  dose_amount: "Give the dose, such as 400.",
  "schedule.times": "Add at least one time, or tick As needed.",
  "schedule.days_of_week": "Choose at least one day.",
  start_date: "Choose the first day.",
};

const vocabulary = words();
const routeLabels = new Map(vocabulary.routes);
const ingredientLabels = new Map(vocabulary.ingredients);
const weekdays = new Map(vocabulary.weekdays);

const form = $("medication");
const times = timeRows($("times"), { template: $("time-row"), add: $("add-time"), max: MAX_TIMES });
const dateFormat = new Intl.DateTimeFormat(undefined, { timeZone: "UTC", day: "numeric", month: "long", year: "numeric" });

let newId = uuid(); // the id of the medication the form adds, until the server has it

const day = (date) => dateFormat.format(new Date(`${date}T12:00:00Z`));

/** "08:00 and 20:00 every day", "09:00 on Mondays and Thursdays", "as needed". */
function schedule(medication) {
  if (medication.as_needed || !medication.schedule) return "as needed";
  return `${joined(medication.schedule.times)} ${daysInWords(medication.schedule.days_of_week, weekdays)}`;
}

const stopped = (medication) => Boolean(medication.end_date) && medication.end_date < today();
const stillTaken = (medication) => !medication.end_date || medication.end_date > today();

function period(medication) {
  const { start_date: start, end_date: end } = medication;
  if (stopped(medication)) return `Taken from ${day(start)} to ${day(end)}`;
  const from = start > today() ? `Starts ${day(start)}` : `Since ${day(start)}`;
  if (!end) return from;
  return end === today() ? `${from}; today is the last day` : `${from}, until ${day(end)}`;
}

function medicationItem(medication) {
  const name = element("p", { class: "plan-name" }, medication.name);
  if (stopped(medication)) name.append(" ", element("span", { class: "tag" }, "stopped"));
  const facts = [dose(medication.dose_amount, medication.dose_unit)];
  if (medication.route) facts.push(routeLabels.get(medication.route) ?? medication.route);
  facts.push(schedule(medication));
  const details = element("div", { class: "grow" }, name,
    element("p", {}, facts.join(" · ")), element("p", { class: "small" }, period(medication)));
  if (medication.is_opioid) {
    const ingredient = ingredientLabels.get(medication.ingredient) ?? medication.ingredient;
    details.append(element("p", { class: "small" }, `Opioid: ${ingredient}`));
  }
  const actions = element("div", { class: "row plan-actions" },
    element("button", { type: "button", class: "secondary", "data-action": "edit", "aria-label": `Edit ${medication.name}` }, "Edit"));
  if (stillTaken(medication)) {
    actions.append(element("button", {
      type: "button", class: "secondary", "data-action": "stop", "aria-label": `Stop taking ${medication.name}`,
    }, "Stop taking"));
  }
  actions.append(element("button", {
    type: "button", class: "danger", "data-action": "delete", "aria-label": `Delete ${medication.name}`,
  }, "Delete"));
  return element("li", { class: "plan", "data-id": medication.id }, details, actions);
}

/** Those taken now first, by name; then the stopped ones, the latest stopped first. */
function order(medications) {
  const rank = (m) => (stopped(m) ? 1 : 0);
  return [...medications].sort((a, b) => rank(a) - rank(b)
    || (rank(a) ? b.end_date.localeCompare(a.end_date) : a.name.localeCompare(b.name)));
}

function showSchedule() {
  const asNeeded = form.elements.as_needed.checked;
  $("schedule").hidden = asNeeded;
  times.disable(asNeeded);
}

function blank() {
  for (const kept of form.querySelectorAll("option[data-kept]")) kept.remove();
  times.set([]);
  form.elements.start_date.value = today();
  showSchedule();
}

function fill(medication) {
  form.elements.name.value = medication.name;
  form.elements.dose_amount.value = medication.dose_amount;
  form.elements.dose_unit.value = medication.dose_unit;
  form.elements.route.value = medication.route ?? "";
  form.elements.as_needed.checked = medication.as_needed;
  times.set(medication.schedule?.times);
  checkDays(form, medication.schedule?.days_of_week);
  form.elements.start_date.value = medication.start_date;
  form.elements.end_date.value = medication.end_date ?? "";
  const ingredient = form.elements.ingredient;
  // An ingredient named through the API that is not in the MME table is kept as it is.
  if (medication.ingredient && ![...ingredient.options].some((o) => o.value === medication.ingredient)) {
    ingredient.append(element("option", { value: medication.ingredient, "data-kept": "" }, medication.ingredient));
  }
  ingredient.value = medication.ingredient ?? "";
  showSchedule();
  return form.elements.name;
}

/** The form as an API body, or null after putting a message next to each missing field. */
function read() {
  const asNeeded = form.elements.as_needed.checked;
  const chosenTimes = times.values();
  const days = checkedDays(form);
  const { name, dose_amount: amount, start_date: start } = form.elements;
  const missing = [];
  if (!name.value.trim()) missing.push(["name", name]);
  if (!amount.value) missing.push(["dose_amount", amount]);
  if (!asNeeded && !chosenTimes.length) missing.push(["schedule.times", times.first()]);
  if (!asNeeded && !days.length) missing.push(["schedule.days_of_week", form.elements.days_of_week[0]]);
  if (!start.value) missing.push(["start_date", start]);
  if (!nothingMissing(form, missing.map(([slot, field]) => [slot, field, MISSING[slot]]))) return null;
  return {
    name: form.elements.name.value.trim(),
    dose_amount: Number(form.elements.dose_amount.value),
    dose_unit: form.elements.dose_unit.value,
    route: form.elements.route.value || null,
    as_needed: asNeeded,
    schedule: asNeeded ? null : { times: chosenTimes, days_of_week: days.length === 7 ? null : days },
    start_date: form.elements.start_date.value,
    end_date: form.elements.end_date.value || null,
    ingredient: form.elements.ingredient.value || null,
  };
}

async function save(body, editing) {
  if (editing) {
    // The medication as read, with the form's fields over it: its note and RxNorm code are kept.
    const saved = await api(`/medications/${editing.id}`, {
      method: "PUT", body: { ...editing, ...body, version: editing.version },
    });
    return { saved, message: `${saved.name} saved.` };
  }
  const saved = await api(`/medications/${newId}`, { method: "PUT", body });
  newId = uuid();
  return { saved, message: `${saved.name} added.` };
}

async function stopTaking(medication, button) {
  button.disabled = true;
  try {
    const saved = await api(`/medications/${medication.id}`, {
      method: "PUT", body: { ...medication, end_date: today(), version: medication.version },
    });
    editor.put(saved);
    say(editor.status, `${saved.name}: today is the last day.`);
    editor.list.querySelector(`[data-id="${saved.id}"] [data-action="edit"]`)?.focus();
  } catch (error) {
    button.disabled = false;
    if (error.status === 409) {
      editor.changedElsewhere(error.current);
      say(editor.status, `${medication.name} was changed on another device; the list now shows that version. Tap Stop taking again if you still want to.`, { problem: true });
    } else {
      const why = Object.values(error.fields ?? {}).flat().join(" ") || error.message;
      say(editor.status, error.status === 0
        ? "No connection: nothing was changed. Try again when you are online."
        : `${medication.name} was not stopped: ${why}`, { problem: true });
    }
  }
}

const editor = listEditor({
  name: "medications", noun: "medication", list: $("medications"), form,
  order, item: medicationItem, named: (medication) => medication.name,
  ask: (medication) => ({
    prompt: `Delete ${medication.name} and the doses logged for it?`,
    hint: "To keep its doses in your diary, use Stop taking instead.",
  }),
  blank, fill, heading: (medication) => `Change ${medication.name}`, read, save,
  actions: { stop: stopTaking },
});
form.elements.as_needed.addEventListener("change", showSchedule);
