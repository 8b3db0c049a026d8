// Clinic: redeem a patient's invitation code; the linked patients, those needing attention first.
import { api } from "./api.js";
import { formatDate, formatTime, localParts, today } from "./localtime.js";
import { clearProblems, say, sayNotLoaded, showProblem } from "./messages.js";
import { $, element } from "./show.js";
import { words } from "./words.js";

// The flags of DESIGN §4 (pain_diary/insights/analytics/flags.py) and the patient list's own.
const FLAGS = {
  pain_worsening: "Pain worsening",
  low_adherence: "Doses missed",
  high_mme: "High opioid dose",
  logging_gap: "Not logging",
  poor_sleep: "Poor sleep",
  figures_unavailable: "Figures unavailable",
};
const SEVERITIES = { alert: "Alert", warning: "Warning" };
const MINUS = "\u2212";
// What GET /patients compares pain_change_percent over, named by the server from the same
// definition ("last 7 days vs the 14 days before").
const PAIN_CHANGE = words().pain_change_comparison;

const form = $("redeem");
const input = $("code");
const list = $("patients");

const daysBetween = (earlier, later) =>
  Math.round((Date.parse(`${later}T12:00:00Z`) - Date.parse(`${earlier}T12:00:00Z`)) / 86_400_000);

/** "Today, 09:12", "Yesterday, 21:40", "2 days ago", "5 weeks ago", "3 March 2024". */
function ago(instant) {
  const { date } = localParts(instant);
  const days = daysBetween(date, today());
  if (days <= 0) return `Today, ${formatTime(instant)}`;
  if (days === 1) return `Yesterday, ${formatTime(instant)}`;
  if (days < 14) return `${days} days ago`;
  if (days < 63) return `${Math.floor(days / 7)} weeks ago`;
  return formatDate(date);
}

const signedPercent = (value) => {
  const whole = Math.round(value);
  if (whole === 0) return "No change";
  return `${whole > 0 ? "+" : MINUS}${Math.abs(whole)} %`;
};

function flagItem(flag) {
  const severity = SEVERITIES[flag.severity] ?? flag.severity;
  const name = FLAGS[flag.code] ?? flag.code.replaceAll("_", " ");
  return element("li", { class: `flag flag-${flag.severity}`, "data-flag": flag.code },
    element("strong", { class: "flag-name" }, `${severity}: ${name}`),
    element("span", { class: "flag-message" }, flag.message));
}

function figure(name, term, value, note) {
  const dd = element("dd", {}, value);
  if (note) dd.append(" ", element("small", {}, note));
  if (note === null) dd.classList.add("missing");
  return element("div", { "data-figure": name }, element("dt", {}, term), dd);
}

function patientCard(row) {
  // Null figures: never logged, too little logged, or (one patient's bad data) not computable.
  const unavailable = row.flags.some((flag) => flag.code === "figures_unavailable");
  const missing = unavailable ? "Not available" : row.last_entry_at ? null : "No entries yet";
  const figures = element("dl", { class: "figures patient-figures" },
    row.last_entry_at
      ? figure("last-entry", "Last entry", element("time", { datetime: row.last_entry_at }, ago(row.last_entry_at)))
      : figure("last-entry", "Last entry", "No entries yet", null),
    row.pain_7d_mean == null
      ? figure("pain", "Pain, last 7 days", missing ?? "Too few days logged", null)
      : figure("pain", "Pain, last 7 days", row.pain_7d_mean.toFixed(1), "of 10"),
    row.pain_change_percent == null
      ? figure("change", "Pain change", missing ?? "Too few days to compare", null)
      : figure("change", "Pain change", signedPercent(row.pain_change_percent), PAIN_CHANGE),
    row.adherence_percent == null
      ? figure("adherence", "Doses taken", missing ?? "No doses due", null)
      : figure("adherence", "Doses taken", `${Math.round(row.adherence_percent)} %`, "last 14 days"));
  const card = element("li", { class: "card patient", "data-patient-id": row.patient_id },
    element("h3", { class: "patient-name" },
      element("a", { href: `/clinic/patients/${row.patient_id}` }, row.display_name)));
  if (row.flags.length) {
    card.append(element("ul", { class: "flags", "aria-label": `Needs attention: ${row.display_name}` },
      ...row.flags.map(flagItem)));
  } else {
    card.append(element("p", { class: "no-flags small" }, "No flags raised."));
  }
  card.append(figures);
  return card;
}

async function loadPatients() {
  try {
    const rows = await api("/patients");
    list.replaceChildren(...rows.map(patientCard));
    list.hidden = rows.length === 0;
    $("patients-empty").hidden = rows.length > 0;
    say($("patients-problem"), "");
  } catch (problem) {
    sayNotLoaded($("patients-problem"), "Your patients", problem);
  } finally {
    $("patients-loading").hidden = true;
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const status = $("redeem-status");
  say(status, "");
  clearProblems(form);
  // Read aloud or copied, a code may come with spaces; the server ignores dashes and case.
  const code = input.value.replace(/\s+/g, "");
  if (!code) {
    showProblem(form, { fields: { code: ["Type the code your patient gave you."] } });
    return;
  }
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const link = await api("/care-team/links", { method: "POST", body: { code } });
    const name = link.patient?.display_name ?? "The patient";
    input.value = "";
    await loadPatients();
    say(status, `${name} is on your list of patients.`);
  } catch (problem) {
    if (problem.status === 404) {
      // The code was checked and refused: its message says what to do (ask for a new one).
      showProblem(form, { fields: { code: [problem.message] } });
    } else if (problem.status === 0) {
      showProblem(form, { message: "You are offline: the code was not sent. Try again when you are online." });
    } else {
      showProblem(form, problem);
    }
  } finally {
    button.disabled = false;
  }
});

loadPatients();
