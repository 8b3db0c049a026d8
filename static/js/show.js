// How the pages show things: elements, durations and doses in words.
import { words } from "./words.js";

/** A new element with ``attributes`` and ``children`` (text or nodes; null ones left out). */
export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

/** "6 h 05 min", "6 h", "45 min" (as the clinician's summary writes it). */
export function duration(minutes) {
  const hours = Math.floor(minutes / 60);
  const rest = Math.round(minutes % 60);
  if (!hours) return `${rest} min`;
  return rest ? `${hours} h ${String(rest).padStart(2, "0")} min` : `${hours} h`;
}

const MASS = new Set(["mg", "mcg", "g", "ml"]);
const PLURAL = { tablet: "tablets", capsule: "capsules", puff: "puffs", drop: "drops", patch: "patches", unit: "units" };
const unitLabels = new Map(words().dose_units ?? []);

/** "400 mg", "2 tablets", "1 patch", "12 mcg per hour". */
export function dose(amount, unit) {
  const shown = Number.isInteger(amount) ? amount : Number(amount.toFixed(3));
  if (MASS.has(unit)) return `${shown} ${unit}`;
  const word = shown === 1 || !PLURAL[unit] ? (unitLabels.get(unit) ?? unit).toLowerCase() : PLURAL[unit];
  return `${shown} ${word}`;
}

/** "Ibuprofen 400 mg"; a name that already says its dose ("Pregabalin 75 mg") as it is. */
export function named(name, amount, unit) {
  const shown = dose(amount, unit);
  return name.toLowerCase().includes(shown.toLowerCase()) ? name : `${name} ${shown}`;
}

let asked = 0;

/**
 * Ask before an item's destructive action: the item's ``actions`` (a selector) give way to
 * ``prompt``, then ``yes`` and "Cancel" (data-action "confirm" and "cancel"). One question is
 * open at a time on a page.
 */
export function openConfirm(item, actions, { prompt, hint = null, yes = "Yes, delete" }) {
  for (const open of document.querySelectorAll("li > .confirm")) closeConfirm(open.parentElement);
  asked += 1;
  const promptId = `confirm-${asked}`;
  const cancel = element("button", { type: "button", class: "quiet", "data-action": "cancel" }, "Cancel");
  const confirm = element("div", {
    class: "confirm row", role: "group", "aria-labelledby": promptId, "data-hides": actions,
  },
  element("p", { id: promptId, class: "confirm-prompt" }, prompt),
  hint && element("p", { class: "small confirm-hint" }, hint),
  element("button", { type: "button", class: "danger", "data-action": "confirm" }, yes),
  cancel);
  item.querySelector(actions).hidden = true;
  item.append(confirm);
  cancel.focus();
}

/** Close the item's question and show its actions again; ``focus`` goes back to the action. */
export function closeConfirm(item, { focus = false } = {}) {
  const confirm = item.querySelector(":scope > .confirm");
  if (!confirm) return;
  const actions = item.querySelector(confirm.dataset.hides);
  confirm.remove();
  actions.hidden = false;
  if (focus) actions.querySelector("button.danger").focus();
}
