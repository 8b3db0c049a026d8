// Medications: the list with each one's dose and schedule in words; add, change, stop, delete.
// A new medication keeps one client id until the server has it, so a second tap never doubles it;
// a change carries the version read, so one made on another device meanwhile is not overwritten.
import { all, api } from "./api.js";
import { closeConfirm, openConfirm } from "./confirm.js";
import { uuid } from "./ids.js";
import { today } from "./localtime.js";
import { clearProblems, nothingMissing, say, showSaveProblem } from "./messages.js";
import { checkDays, checkedDays, daysInWords, joined, timeRows } from "./plans.js";
import { dose, element } from "./show.js";
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

const $ = (id) => document.getElementById(id);
const list = $("medications");
const form = $("medication");
const status = $("medications-status");
const problem = $("medications-problem");
const formStatus = $("form-status");
const retry = $("retry");
const times = timeRows($("times"), { template: $("time-row"), add: $("add-time"), max: MAX_TIMES });
const dateFormat = new Intl.DateTimeFormat(undefined, { timeZone: "UTC", day: "numeric", month: "long", year: "numeric" });

let medications = [];
let editing = null; // the medication as read, while the form changes it
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

function show(items) {
  medications = items;
  // Those taken now first, by name; then the stopped ones, the latest stopped first.
  const order = (m) => (stopped(m) ? 1 : 0);
  const sorted = [...items].sort((a, b) => order(a) - order(b)
    || (order(a) ? b.end_date.localeCompare(a.end_date) : a.name.localeCompare(b.name)));
  list.replaceChildren(...sorted.map(medicationItem));
  list.hidden = !items.length;
  $("medications-empty").hidden = Boolean(items.length);
}

async function load() {
  retry.hidden = true;
  say(problem, "");
  try {
    show(await all("/medications"));
  } catch (error) {
    say(problem, error.status === 0
      ? "You are offline. Your medications will show when you are back online."
      : `Your medications could not be loaded: ${error.message}`, { problem: true });
    retry.hidden = false;
  } finally {
    $("medications-loading").hidden = true;
  }
}

function showSchedule() {
  const asNeeded = form.elements.as_needed.checked;
  $("schedule").hidden = asNeeded;
  times.disable(asNeeded);
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
}

function blank() {
  for (const kept of form.querySelectorAll("option[data-kept]")) kept.remove();
  form.reset();
  clearProblems(form);
  times.set([]);
  form.elements.start_date.value = today();
  showSchedule();
}

function startEditing(medication) {
  editing = medication;
  blank();
  fill(medication);
  $("form-title").textContent = `Change ${medication.name}`;
  $("save").textContent = "Save changes";
  $("cancel-edit").hidden = false;
  say(formStatus, "");
  form.elements.name.focus();
}

function stopEditing() {
  editing = null;
  blank();
  $("form-title").textContent = "Add a medication";
  $("save").textContent = "Save medication";
  $("cancel-edit").hidden = true;
}

/** The form as an API body, or null after putting a message next to each missing field. */
function read() {
  clearProblems(form);
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

function changedElsewhere(current) {
  if (current) {
    show([...medications.filter((m) => m.id !== current.id), current]);
    if (editing?.id === current.id) startEditing(current);
  }
  load();
}

let saving = false;
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (saving) return;
  const body = read();
  if (!body) return;
  const button = $("save");
  saving = true;
  button.disabled = true;
  say(formStatus, "");
  try {
    if (editing) {
      // The medication as read, with the form's fields over it: its note and RxNorm code are kept.
      const saved = await api(`/medications/${editing.id}`, {
        method: "PUT", body: { ...editing, ...body, version: editing.version },
      });
      stopEditing();
      say(formStatus, `${saved.name} saved.`);
    } else {
      const saved = await api(`/medications/${newId}`, { method: "PUT", body });
      newId = uuid();
      blank();
      say(formStatus, `${saved.name} added.`);
    }
    await load();
  } catch (error) {
    if (error.status === 409 && editing) {
      changedElsewhere(error.current);
      say(formStatus, "This medication was changed on another device. The form now shows that version: make your change again.", { problem: true });
    } else if (error.status === 404 || error.status === 410) {
      stopEditing();
      load();
      say(formStatus, "This medication was deleted on another device.", { problem: true });
    } else {
      showSaveProblem(form, formStatus, error, "the medication");
    }
  } finally {
    saving = false;
    button.disabled = false;
  }
});

async function stopTaking(medication, button) {
  button.disabled = true;
  try {
    const saved = await api(`/medications/${medication.id}`, {
      method: "PUT", body: { ...medication, end_date: today(), version: medication.version },
    });
    await load();
    say(status, `${saved.name}: today is the last day.`);
    list.querySelector(`[data-id="${saved.id}"] [data-action="edit"]`)?.focus();
  } catch (error) {
    button.disabled = false;
    if (error.status === 409) {
      changedElsewhere(error.current);
      say(status, `${medication.name} was changed on another device; the list now shows that version. Tap Stop taking again if you still want to.`, { problem: true });
    } else {
      const why = Object.values(error.fields ?? {}).flat().join(" ") || error.message;
      say(status, error.status === 0
        ? "No connection: nothing was changed. Try again when you are online."
        : `${medication.name} was not stopped: ${why}`, { problem: true });
    }
  }
}

async function remove(item, medication) {
  const buttons = item.querySelectorAll(".confirm button");
  for (const button of buttons) button.disabled = true;
  try {
    await api(`/medications/${medication.id}`, { method: "DELETE" });
  } catch (error) {
    // Gone already (deleted on another device): what the patient asked for is true.
    if (error.status !== 404 && error.status !== 410) {
      for (const button of buttons) button.disabled = false;
      say(status, error.status === 0
        ? "You are offline: the medication was not deleted. Try again when you are online."
        : `${medication.name} was not deleted: ${error.message}`, { problem: true });
      return;
    }
  }
  if (editing?.id === medication.id) stopEditing();
  show(medications.filter((m) => m.id !== medication.id));
  say(status, `${medication.name} deleted.`);
  $("list-title").focus();
}

list.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  const item = button.closest("li");
  const medication = medications.find((m) => m.id === item.dataset.id);
  const action = button.dataset.action;
  if (action === "edit") startEditing(medication);
  else if (action === "stop") stopTaking(medication, button);
  else if (action === "delete") {
    openConfirm(item, ".plan-actions", {
      prompt: `Delete ${medication.name} and the doses logged for it?`,
      hint: "To keep its doses in your diary, use Stop taking instead.",
    });
  }
  else if (action === "cancel") closeConfirm(item, { focus: true });
  else if (action === "confirm") remove(item, medication);
});
form.elements.as_needed.addEventListener("change", showSchedule);
$("cancel-edit").addEventListener("click", () => {
  const id = editing?.id;
  stopEditing();
  say(formStatus, "");
  list.querySelector(`[data-id="${id}"] [data-action="edit"]`)?.focus();
});
retry.addEventListener("click", () => {
  $("medications-loading").hidden = false;
  load();
});

blank();
load();
