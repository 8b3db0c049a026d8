// How the pages show things: elements, durations and doses in words.
import { words } from "./words.js";

/** The page's element with this id. */
export const $ = (id) => document.getElementById(id);

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
