// Reminders: the rules with an on/off switch each, their times changed or deleted, a new rule
// added; the quiet hours in which nothing buzzes.
import { all, api } from "./api.js";
import { listEditor } from "./list_editor.js";
import { formatDay, formatTime, localParts } from "./localtime.js";
import { clearProblems, nothingMissing, say, showProblem } from "./messages.js";
import { checkDays, checkedDays, daysInWords, joined, timeRows } from "./plans.js";
import "./push.js";
import { $, element } from "./show.js";
import { words } from "./words.js";

const MAX_TIMES = 8;

const vocabulary = words();
const kindLabels = new Map(vocabulary.reminder_kinds);
const channelLabels = new Map(vocabulary.channels);
const weekdays = new Map(vocabulary.weekdays);
const dateFormat = new Intl.DateTimeFormat(undefined, { timeZone: "UTC", day: "numeric", month: "long" });

const form = $("rule");
const times = timeRows($("times"), { template: $("time-row"), add: $("add-time"), max: MAX_TIMES });

let medicationNames = new Map();

const capitalised = (text) => text.charAt(0).toUpperCase() + text.slice(1);
const day = (date) => dateFormat.format(new Date(`${date}T12:00:00Z`));

/** "Pain check-in", "Medication: Pregabalin". */
function title(rule) {
  if (rule.kind !== "medication") return kindLabels.get(rule.kind) ?? rule.kind;
  return `Medication: ${medicationNames.get(rule.medication_id) ?? "a medication"}`;
}

/** "20:00 every day", "10:30 on 3 March and 10 March". */
function when(rule) {
  const days = rule.dates?.length ? `on ${joined(rule.dates.map(day))}` : daysInWords(rule.days_of_week, weekdays);
  return `${joined(rule.times)} ${days}`;
}

const channels = (rule) => capitalised(joined(rule.channels.map((c) => channelLabels.get(c) ?? c)).toLowerCase());

function next(rule) {
  if (!rule.enabled) return "Off: no reminders until you turn it on.";
  if (!rule.next_due_at) return "Nothing more to remind you of.";
  const at = rule.next_due_at;
  return `Next: ${formatDay(localParts(at).date)}, ${formatTime(at)}`;
}

const onOff = (enabled) => (enabled ? "On" : "Off");

function ruleItem(rule) {
  const nameId = `rule-${rule.id}`;
  const toggle = element("input", {
    type: "checkbox", role: "switch", "data-action": "toggle", "aria-labelledby": `${nameId} ${nameId}-when`,
  });
  toggle.checked = rule.enabled;
  const details = element("div", { class: "grow" },
    element("p", { class: "plan-name", id: nameId }, title(rule)),
    element("p", { class: "plan-when", id: `${nameId}-when` }, `${when(rule)} · ${channels(rule)}`),
    element("p", { class: "small" }, next(rule)));
  const actions = element("div", { class: "row plan-actions" },
    element("button", { type: "button", class: "secondary", "data-action": "edit", "aria-label": `Change ${title(rule)} reminder` }, "Change"),
    element("button", { type: "button", class: "danger", "data-action": "delete", "aria-label": `Delete ${title(rule)} reminder` }, "Delete"));
  return element("li", { class: `plan${rule.enabled ? "" : " off"}`, "data-id": rule.id },
    element("div", { class: "row rule-row" }, details,
      // The switch says its state to the eye; a screen reader hears it as the switch's own.
      element("label", { class: "switch" }, toggle, element("span", { class: "switch-state", "aria-hidden": "true" }, onOff(rule.enabled)))),
    actions);
}

function medicationOptions(medications) {
  const select = form.elements.medication_id;
  const scheduled = medications.filter((m) => m.schedule).sort((a, b) => a.name.localeCompare(b.name));
  select.replaceChildren(element("option", { value: "" }, "Choose…"),
    ...scheduled.map((m) => element("option", { value: m.id }, m.name)));
  $("no-medications").hidden = scheduled.length > 0;
}

async function load() {
  const [found, medications] = await Promise.all([api("/reminders"), all("/medications")]);
  medicationNames = new Map(medications.map((m) => [m.id, m.name]));
  medicationOptions(medications);
  return found;
}

async function toggle(input) {
  const rule = editor.items.find((r) => r.id === input.closest("li").dataset.id);
  const state = input.closest("label").querySelector(".switch-state");
  state.textContent = onOff(input.checked);
  input.disabled = true;
  try {
    const saved = await api(`/reminders/${rule.id}`, { method: "PATCH", body: { enabled: input.checked } });
    editor.put(saved);
    editor.list.querySelector(`[data-id="${saved.id}"] [data-action="toggle"]`).focus();
    say(editor.status, `${title(saved)} reminder ${saved.enabled ? "on" : "off"}.`);
  } catch (error) {
    input.checked = rule.enabled;
    state.textContent = onOff(rule.enabled);
    input.disabled = false;
    say(editor.status, error.status === 0
      ? "No connection: the reminder was not changed. Try again when you are online."
      : `The reminder was not changed: ${error.message}`, { problem: true });
  }
}

// The form: a new rule, or the one being changed.
function showKind() {
  const medication = form.elements.kind.value === "medication";
  $("medication-field").hidden = !medication;
  $("when").hidden = medication;
  times.disable(medication);
}

function blank() {
  times.set([]);
  form.elements.kind.disabled = false;
  form.elements.medication_id.disabled = false;
  $("days").hidden = false;
  $("dates-note").hidden = true;
  showKind();
}

function fill(rule) {
  form.elements.kind.value = rule.kind;
  form.elements.kind.disabled = true; // a rule stays what it reminds of: delete it and add another
  if (rule.kind === "medication") {
    form.elements.medication_id.value = rule.medication_id;
    form.elements.medication_id.disabled = true;
  }
  times.set(rule.times);
  checkDays(form, rule.days_of_week);
  if (rule.dates?.length) {
    $("days").hidden = true;
    $("dates-note").hidden = false;
    $("dates-note").textContent = `On ${joined(rule.dates.map(day))}; those dates stay as they are.`;
  }
  for (const box of form.querySelectorAll('[name="channels"]')) box.checked = rule.channels.includes(box.value);
  showKind();
  return $("form-title");
}

/** What the form sets of a rule, or null after a message next to each missing field. */
function read(editing) {
  const kind = form.elements.kind.value;
  const medication = kind === "medication";
  const chosen = [...form.querySelectorAll('[name="channels"]:checked')].map((box) => box.value);
  const days = checkedDays(form);
  const byDates = Boolean(editing?.dates?.length);
  const missing = [];
  if (medication && !form.elements.medication_id.value) {
    missing.push(["medication_id", form.elements.medication_id, "Choose the medication."]);
  }
  if (!medication && !times.values().length) missing.push(["times", times.first(), "Add at least one time."]);
  if (!medication && !byDates && !days.length) {
    missing.push(["days_of_week", form.elements.days_of_week[0], "Choose at least one day."]);
  }
  if (!chosen.length) {
    missing.push(["channels", form.elements.channels[0], "Choose at least one way to be reminded."]);
  }
  if (!nothingMissing(form, missing)) return null;
  const body = { channels: chosen };
  if (medication && !editing) body.medication_id = form.elements.medication_id.value;
  else body.times = times.values();
  // Every day is sent as none named, as the API stores it.
  if (!medication && !byDates) body.days_of_week = days.length === 7 ? [] : days;
  return editing ? body : { kind, enabled: true, ...body };
}

async function save(body, rule) {
  if (rule) {
    const saved = await api(`/reminders/${rule.id}`, { method: "PATCH", body });
    return { saved, message: `${title(saved)} reminder saved: ${when(saved)}.` };
  }
  const saved = await api("/reminders", { method: "POST", body });
  return { saved, message: `Reminder added: ${title(saved).toLowerCase()} at ${when(saved)}.` };
}

const editor = listEditor({
  name: "reminders", noun: "reminder", list: $("rules"), form, load, item: ruleItem,
  named: (rule) => `${title(rule)} reminder`,
  ask: (rule) => ({ prompt: `Delete the ${title(rule).toLowerCase()} reminder?` }),
  blank, fill, heading: (rule) => `Change: ${title(rule)}`, read, save,
});
editor.list.addEventListener("change", (event) => {
  if (event.target.matches('[data-action="toggle"]')) toggle(event.target);
});
form.elements.kind.addEventListener("change", showKind);

// Quiet hours: {start, end} local "HH:MM" on the account, or none.
const quiet = $("quiet");
const quietStatus = $("quiet-status");

function showQuiet() {
  $("quiet-times").hidden = !quiet.elements.quiet_on.checked;
}

async function loadQuiet() {
  try {
    const me = await api("/me");
    quiet.elements.quiet_on.checked = Boolean(me.quiet_hours);
    if (me.quiet_hours) {
      quiet.elements.start.value = me.quiet_hours.start;
      quiet.elements.end.value = me.quiet_hours.end;
    }
    showQuiet();
  } catch (error) {
    say(quietStatus, `Your quiet hours could not be loaded: ${error.message}`, { problem: true });
  }
}

quiet.elements.quiet_on.addEventListener("change", showQuiet);
quiet.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearProblems(quiet);
  const on = quiet.elements.quiet_on.checked;
  const { start, end } = quiet.elements;
  if (on && !nothingMissing(quiet, [
    ...(start.value ? [] : [["quiet_hours.start", start, "Choose when quiet hours start."]]),
    ...(end.value ? [] : [["quiet_hours.end", end, "Choose when they end."]]),
  ])) return;
  const button = quiet.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    const me = await api("/me", {
      method: "PATCH", body: { quiet_hours: on ? { start: start.value, end: end.value } : null },
    });
    say(quietStatus, me.quiet_hours
      ? `Quiet from ${me.quiet_hours.start} until ${me.quiet_hours.end}.`
      : "Quiet hours off: reminders may buzz at any time.");
  } catch (error) {
    if (error.status === 0) {
      say(quietStatus, "No connection: your quiet hours are not saved yet. Try again when you are online.", { problem: true });
    } else {
      say(quietStatus, "");
      showProblem(quiet, error);
    }
  } finally {
    button.disabled = false;
  }
});

loadQuiet();
