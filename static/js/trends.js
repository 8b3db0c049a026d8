// Trends: the charts and the headline figures in words for 7, 30, 90 or 365 days.
import { api } from "./api.js";
import { addDays, formatDay, today } from "./localtime.js";
import { say, sayNotLoaded } from "./messages.js";
import { $, duration, element } from "./show.js";
import { words } from "./words.js";

const NOT_ENOUGH = "Not enough entries yet";
// IMMPACT (Dworkin 2008; Farrar 2001) as the summary names it, in a patient's words.
const RESPONSES = {
  substantial: "a big improvement",
  moderate: "a moderate improvement",
  minimal: "a small improvement",
  none: "no real change",
  worse: "a clear worsening",
};
const RESPONSE_THRESHOLDS = [10, 30, 50];

const form = $("period");
const list = $("figures");
const loading = $("figures-loading");
const problem = $("figures-problem");
const pdf = $("period-pdf");
const charts = [...document.querySelectorAll("img[data-chart]")];
const modalities = new Map(words().modalities ?? []);
let shown = 0; // the latest request: an older answer arriving late is dropped

const one = (value) => value.toFixed(1);
const plural = (count, noun) => `${count} ${noun}${count === 1 ? "" : "s"}`;
const periodWords = (days) => (days === 365 ? "the last year" : `the last ${days} days`);
const beforeWords = (days) => (days === 365 ? "the year before" : `the ${days} days before`);

/** A whole percent, unless rounding would cross a benchmark (29.6 % is not "30 %"). */
function percentWords(size) {
  const whole = Math.round(size);
  const crosses = RESPONSE_THRESHOLDS.some((mark) => (size >= mark) !== (whole >= mark));
  return `${crosses ? one(size) : whole} %`;
}

/**
 * One figure named ``name``: ``value`` in words, or "Not enough entries yet" when null; below it
 * ``note`` (about the value) or ``missingNote`` (what would give one).
 */
function figure(name, term, value, note = null, missingNote = null) {
  const missing = value === null || value === undefined;
  const dd = element("dd", missing ? { class: "missing" } : {}, missing ? NOT_ENOUGH : value);
  const hint = missing ? missingNote : note;
  if (hint) dd.append(element("p", { class: "hint" }, hint));
  return element("div", { "data-figure": name }, element("dt", {}, term), dd);
}

/** ``value`` through ``words``, or null when the summary has no such figure. */
const known = (value, words) => (value === null || value === undefined ? null : words(value));
const outOf10 = (value) => known(value, (v) => `${one(v)} out of 10`);

function weekChange(pain, period) {
  const term = "Last 7 days against the first 7";
  if (pain.response === null || pain.change_points === null) {
    const short = period.days < 14; // the first and last weeks would overlap
    if (short) return figure("pain-change", term, "Choose 30 days or more to compare weeks");
    return figure("pain-change", term, null, null,
      "It needs 3 days with an entry in both the first and the last week.");
  }
  const change = pain.change_points;
  let size = "No change";
  if (change) {
    const amount = pain.change_percent === null
      ? `${one(Math.abs(change))} points` // from a first week of 0 only points are defined
      : percentWords(Math.abs(pain.change_percent));
    size = `${amount} ${change < 0 ? "lower" : "higher"}`;
  }
  return figure("pain-change", term, `${size} (${RESPONSES[pain.response]})`,
    `Average ${one(pain.baseline_mean)} in the first week, ${one(pain.recent_mean)} in the last.`);
}

function painFigures(pain, period, before) {
  const rows = [
    figure("pain-mean", "Average pain", outOf10(pain.mean),
      `The average of your daily pain over ${plural(pain.days_logged, "day")} with an entry.`),
    figure("pain-worst", "Worst day", outOf10(pain.max), `Best day: ${outOf10(pain.min)}.`),
    weekChange(pain, period),
  ];
  if (before !== undefined) { // undefined: the period before could not be loaded
    rows.push(figure("pain-before", `Average pain in ${beforeWords(period.days)}`,
      outOf10(before.pain.mean), pain.mean === null ? null : `Now: ${outOf10(pain.mean)}.`));
  }
  const logged = `${pain.days_logged} of ${period.days}`;
  rows.push(figure("days-logged", "Days with a pain entry", logged));
  return rows;
}

function sleepFigures(sleep) {
  return [
    figure("sleep-efficiency", "Sleep efficiency",
      known(sleep.mean_sleep_efficiency, (v) => `${Math.round(v)} %`),
      "Time asleep of time in bed. 85 % or more is good."),
    figure("sleep-total", "Sleep a night", known(sleep.mean_total_sleep_minutes, duration),
      `Over ${plural(sleep.nights, "night")}.`),
  ];
}

function dosesFigure({ items, adherence_percent: percent }) {
  const term = "Medication doses taken";
  if (!items.length) return figure("adherence", term, "No medicines on a schedule");
  const count = (key) => items.reduce((sum, item) => sum + item[key], 0);
  const [taken, skipped, missed] = [count("taken"), count("skipped"), count("missed")];
  return figure("adherence", term, known(percent, (v) => `${Math.round(v)} % of scheduled doses`),
    `${taken} of ${plural(taken + skipped + missed, "dose")} taken, ${skipped} skipped, `
    + `${missed} missed.`);
}

function opioidFigure(mme, period) {
  if (mme.average_on_opioid_days === null) {
    return figure("mme", "Opioids", "None taken in this period");
  }
  // Averaged over the days with an opioid (DESIGN §4): started yesterday on 15 MME a day reads
  // 15, not 0.2 over 90 days. The CDC (2022) asks that MME be shown with what it is not for.
  const days = `${mme.days_with_opioid} of ${plural(period.days, "day")}`;
  return figure("mme", "Opioids",
    `${one(mme.average_on_opioid_days)} MME a day on the days you took one (${days})`,
    `Highest day: ${one(mme.max_daily)} MME. MME (morphine milligram equivalents) adds up all `
    + "your opioids as if they were morphine; it is not a guide for switching from one opioid "
    + "to another.");
}

function therapyFigures(therapy) {
  const sessions = therapy.sessions
    ? `${plural(therapy.sessions, "session")}, ${duration(therapy.minutes)} in all`
    : "None in this period";
  const rated = therapy.by_modality.filter((m) => m.rated_sessions && m.mean_pain_change !== null);
  const changes = rated.map((m) => {
    const size = Math.abs(m.mean_pain_change);
    const direction = m.mean_pain_change < 0 ? "lower" : "higher";
    const moved = size ? `pain ${one(size)} points ${direction} after` : "no change in pain";
    const name = modalities.get(m.modality) ?? m.modality;
    return element("li", {}, `${name}: ${moved} (${plural(m.rated_sessions, "session")})`);
  });
  return [
    figure("therapy-sessions", "Therapy sessions", sessions),
    figure("therapy-change", "Pain after therapy, on average",
      changes.length ? element("ul", { class: "plain" }, ...changes) : null, null,
      "Note your pain before and after a session to see this."),
  ];
}

function showFigures(summary, before) {
  list.replaceChildren(
    ...painFigures(summary.pain, summary.period, before),
    ...sleepFigures(summary.sleep),
    dosesFigure(summary.medications),
    opioidFigure(summary.medications.mme, summary.period),
    ...therapyFigures(summary.therapy),
  );
}

function chosenDays() {
  const checked = form.querySelector('input[name="days"]:checked');
  return Number(checked?.value ?? form.dataset.defaultDays);
}

function showCharts(from, to, days) {
  for (const image of charts) {
    const src = `/api/v1/charts/${image.dataset.chart}.svg?from=${from}&to=${to}`;
    image.alt = `${image.dataset.heading} over ${periodWords(days)}`;
    if (image.getAttribute("src") !== src) image.src = src; // the server may have set it already
  }
}

async function show() {
  const days = chosenDays();
  const to = today();
  const from = addDays(to, -(days - 1));
  const request = ++shown;

  const url = new URL(location.href);
  url.searchParams.set("days", days);
  history.replaceState(null, "", url);
  showCharts(from, to, days);
  pdf.href = `/api/v1/summary.pdf?from=${from}&to=${to}`;
  pdf.download = `pain-diary-summary-${from}-to-${to}.pdf`;
  say($("period-status"), `Showing ${periodWords(days)}: ${formatDay(from)} to ${formatDay(to)}.`);

  loading.hidden = false;
  list.setAttribute("aria-busy", "true");
  say(problem, "");
  try {
    const [summary, before] = await Promise.all([
      api("/summary", { query: { from, to } }),
      // The period before is a comparison only: without it the page still shows this one.
      api("/summary", { query: { from: addDays(from, -days), to: addDays(from, -1) } })
        .catch(() => undefined),
    ]);
    if (request !== shown) return;
    showFigures(summary, before);
  } catch (error) {
    if (request !== shown) return;
    list.replaceChildren();
    sayNotLoaded(problem, "Your figures", error);
  } finally {
    if (request === shown) {
      loading.hidden = true;
      list.removeAttribute("aria-busy");
    }
  }
}

for (const image of charts) {
  const slot = document.querySelector(`[data-problem-for="${image.dataset.chart}"]`);
  const failed = () => {
    slot.textContent = `The ${image.dataset.heading.toLowerCase()} chart could not be loaded.`;
  };
  image.addEventListener("error", failed);
  image.addEventListener("load", () => { slot.textContent = ""; });
  // It may have failed before this module ran.
  if (image.complete && image.getAttribute("src") && !image.naturalWidth) failed();
}

form.querySelector("[data-without-script]").hidden = true;
form.addEventListener("change", () => show());
form.addEventListener("submit", (event) => {
  event.preventDefault();
  show();
});
show();
