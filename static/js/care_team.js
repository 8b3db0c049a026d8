// Care team: create an invitation code, see and revoke who has access, read the access log.
import { api } from "./api.js";
import { formatDate, formatTime, localParts } from "./localtime.js";
import { confirmed, onItemAction, openConfirm } from "./confirm.js";
import { clearProblems, say, sayNotLoaded, showProblem } from "./messages.js";
import { $, element } from "./show.js";
import { words } from "./words.js";

const LOG_PAGE = 20;

// What a clinician read, by the audit event's resource, with the verb a patient would use for
// it: the server's words, which name every chart and collection the record types declare.
const READS = words().reads ?? {};

const inviteForm = $("invite");
const team = $("team");
const log = $("log");
const more = $("log-more");
const teamStatus = $("team-status");
let logCursor = null;

/** "Thursday 3 December" in the patient's zone, with the year when it is not this year's. */
const dayOf = (instant) => formatDate(localParts(instant).date);

/** "Thursday 3 December 09:12" in the patient's zone. */
const when = (instant) => `${dayOf(instant)} ${formatTime(instant)}`;

const clinicianName = (person) => person?.display_name || "A clinician";

// -- Invitation ---------------------------------------------------------------------------

inviteForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = inviteForm.querySelector("button");
  button.disabled = true;
  clearProblems(inviteForm);
  try {
    const invitation = await api("/care-team/invitations", { method: "POST" });
    $("invitation-code").textContent = invitation.code;
    $("invitation-expiry").textContent =
      `Valid until ${dayOf(invitation.expires_at)}, ${formatTime(invitation.expires_at)}.`;
    const shown = $("invitation");
    shown.hidden = false;
    shown.focus();
  } catch (problem) {
    showProblem(inviteForm, problem.status === 0
      ? { message: "You are offline: no code was made. Try again when you are online." }
      : problem);
  } finally {
    button.disabled = false;
  }
});

// -- Who has access -----------------------------------------------------------------------

function linkItem(link) {
  const name = clinicianName(link.clinician);
  const item = element("li", { class: "member", "data-link-id": link.id });
  const who = element("div", { class: "grow" },
    element("p", { class: "member-name" }, name),
    element("p", { class: "small" }, `Can read your diary since ${dayOf(link.created_at)}`));
  if (link.clinician?.email) who.append(element("p", { class: "small member-email" }, link.clinician.email));
  const actions = element("div", { class: "member-actions" },
    element("button", { type: "button", class: "danger", "data-action": "revoke",
      "aria-label": `Revoke access for ${name}` }, "Revoke access"));
  item.dataset.name = name;
  item.append(element("div", { class: "row member-row" }, who, actions));
  return item;
}

function showTeamEmpty() {
  const empty = !team.children.length;
  team.hidden = empty;
  $("team-empty").hidden = !empty;
}

async function loadTeam() {
  try {
    const links = await api("/care-team");
    team.replaceChildren(...links.map(linkItem));
    showTeamEmpty();
    say($("team-problem"), "");
  } catch (problem) {
    sayNotLoaded($("team-problem"), "Who has access", problem);
  } finally {
    $("team-loading").hidden = true;
  }
}

async function revoke(item) {
  // Revoked already (by the clinician, or on another device) counts as done.
  const done = await confirmed(item, () => api(`/care-team/${item.dataset.linkId}`, { method: "DELETE" }),
    (problem) => say(teamStatus, problem.status === 0
      ? "You are offline: access was not revoked. Try again when you are online."
      : `Access was not revoked: ${problem.message}`, { problem: true }));
  if (!done) return;
  item.remove();
  showTeamEmpty();
  say(teamStatus, `${item.dataset.name} can no longer read your diary.`);
  $("team-title").focus();
}

onItemAction(team, {
  revoke: (item) => openConfirm(item, ".member-actions", {
    prompt: `Stop ${item.dataset.name} reading your diary? They lose access at once.`,
    yes: "Yes, revoke access",
  }),
  confirm: revoke,
});

// -- Access log ---------------------------------------------------------------------------

/** "Dr Rivera read your summary", or what a refused read tried to see. */
function eventText(event) {
  const name = event.actor_name || "A clinician whose account is closed";
  const [verb, what] = READS[event.resource]
    ?? ["read", `your ${event.resource.replace(/[-_/.]+/g, " ")}`];
  if (event.outcome === "denied") return `${name} tried to read ${what} without access`;
  if (event.action !== "read") return `${name}: ${event.action} ${what}`;
  return `${name} ${verb} ${what}`;
}

function eventItem(event) {
  const item = element("li", { class: "event", "data-event-id": event.id });
  if (event.outcome === "denied") item.append(element("strong", { class: "refused" }, "Refused: "));
  // The time goes on its own line; the separator stays in the text that is read aloud.
  item.append(eventText(event), element("span", { class: "sep" }, " · "),
    element("time", { datetime: event.at }, when(event.at)));
  return item;
}

async function loadLog() {
  more.disabled = true;
  say($("log-problem"), "");
  try {
    const page = await api("/audit-events", { query: { limit: LOG_PAGE, cursor: logCursor } });
    log.append(...page.items.map(eventItem));
    logCursor = page.next_cursor;
    more.hidden = !logCursor;
    log.hidden = !log.children.length;
    $("log-empty").hidden = log.children.length > 0;
  } catch (problem) {
    sayNotLoaded($("log-problem"), "The access log", problem);
  } finally {
    $("log-loading").hidden = true;
    more.disabled = false;
  }
}

more.addEventListener("click", () => loadLog());

loadTeam();
loadLog();
