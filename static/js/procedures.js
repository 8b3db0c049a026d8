// Procedures: log one (what, when, where, by whom, the relief felt) and the list of those logged,
// newest first, each with its response so far in words (the summary's procedures section), Edit
// and a Delete that asks first. Writes go through the outbox as Today's do: a new procedure keeps
// one client id until the server or the outbox has it, and one logged or changed offline is
// listed, marked "Waiting to sync", until the server has it.
import { all, api } from "./api.js";
import { confirmed, onItemAction, openConfirm } from "./confirm.js";
import { followNow, onSubmit, procedure, reset } from "./entries.js";
import { label, sitesInWords } from "./history_entries.js";
import { uuid } from "./ids.js";
import { formatDate, formatTime, localParts } from "./localtime.js";
import { reveal, say, sayNotLoaded, showProblem } from "./messages.js";
import { kept, remove, save } from "./outbox.js";
import { responseInWords } from "./procedure_response.js";
import { $, element } from "./show.js";

const form = $("procedure");
const list = $("procedures");
const status = $("procedures-status");
const problem = $("procedures-problem");
const formStatus = $("procedure-status");
const KEPT = "It syncs when you are back online.";

let records = []; // as listed: the server's, with what waits on this phone in their place
let waiting = new Set(); // the ids of those waiting to sync
let responses = new Map(); // the summary's response of each procedure, by its id
let editing = null; // the procedure the form changes, or null while it adds one
let newId = uuid();
let loads = 0; // a later load (after a save, a sync) wins over one still on its way

/** The procedure a list item shows. */
const find = (listed) => records.find((record) => record.id === listed.dataset.id);
const kindOf = (record) => label("procedure_kinds", record.kind);
/** "Tuesday 3 March, 09:30" of an instant, on the patient's clock. */
const dayAndTime = (iso) => `${formatDate(localParts(iso).date)}, ${formatTime(iso)}`;
/** What a procedure is called in a question or a message: "Nerve block of Tuesday 3 March". */
const named = (record) => `${kindOf(record)} of ${formatDate(localParts(record.performed_at).date)}`;

function item(record) {
  const name = element("p", { class: "plan-name" }, kindOf(record));
  if (waiting.has(record.id)) name.append(" ", element("span", { class: "tag" }, "Waiting to sync"));
  const details = element("div", { class: "grow" }, name,
    element("p", {}, [dayAndTime(record.performed_at), record.level, record.provider].filter(Boolean).join(" · ")));
  const lines = [];
  if (record.trial_ends_at) lines.push(`Trial until ${dayAndTime(record.trial_ends_at)}`);
  if (record.body_sites?.length) lines.push(sitesInWords(record.body_sites).join(", "));
  for (const line of lines) details.append(element("p", { class: "small" }, line));
  const response = responses.get(record.id);
  if (response) details.append(...responseInWords(response).map((line) => element("p", {}, line)));
  if (record.reported_relief_percent != null) {
    details.append(element("p", { class: "small" }, `You said it gave ${record.reported_relief_percent} % relief`));
  }
  const actions = element("div", { class: "row plan-actions" },
    element("button", { type: "button", class: "secondary", "data-action": "edit", "aria-label": `Edit ${named(record)}` }, "Edit"),
    element("button", { type: "button", class: "danger", "data-action": "delete", "aria-label": `Delete ${named(record)}` }, "Delete"));
  return element("li", { class: "plan", "data-id": record.id }, details, actions);
}

function show(listed) {
  records = listed.sort((a, b) => new Date(b.performed_at) - new Date(a.performed_at));
  list.replaceChildren(...records.map(item));
  list.hidden = !records.length;
  $("procedures-empty").hidden = Boolean(records.length);
}

/** The summary's responses by procedure id; none when it cannot be read (the list still shows). */
async function loadResponses() {
  try {
    return new Map((await api("/summary")).procedures.map((response) => [response.procedure_id, response]));
  } catch {
    return new Map();
  }
}

/** The server's procedures and their responses, with what this phone holds over them. */
async function load() {
  const turn = ++loads;
  $("retry").hidden = true;
  $("procedures-loading").hidden = records.length > 0; // said while nothing is listed yet
  say(problem, "");
  // A procedure deleted on this phone, its deletion still waiting, is not listed; one logged or
  // changed here shows as written here. A write the server refused leaves the server's copy.
  const outbox = (await kept()).filter((op) => op.collection === "procedures" && !op.refused);
  const here = outbox.filter((op) => op.op === "put").map((op) => ({ ...op.body, id: op.id }));
  const replaced = new Set(outbox.map((op) => op.id));
  let stored = [];
  let known = new Map();
  try {
    [stored, known] = await Promise.all([all("/procedures"), loadResponses()]);
  } catch (error) {
    if (turn !== loads) return;
    sayNotLoaded(problem, "Your procedures", error);
    $("retry").hidden = false;
  }
  if (turn !== loads) return;
  responses = known;
  waiting = new Set(here.map((record) => record.id));
  show([...stored.filter((record) => !replaced.has(record.id)), ...here]);
  $("procedures-loading").hidden = true;
}

function startEditing(record) {
  editing = record;
  reset(form);
  procedure.fill(form, record);
  $("procedure-title").textContent = `Change ${named(record)}`;
  $("procedure-save").textContent = "Save changes";
  $("procedure-cancel").hidden = false;
  say(formStatus, "");
  $("procedure-title").focus();
}

function stopEditing() {
  editing = null;
  reset(form);
  $("procedure-title").textContent = "Add a procedure";
  $("procedure-save").textContent = "Save procedure";
  $("procedure-cancel").hidden = true;
}

/** Save the form: a new procedure under its client id, a change with the version it read. */
async function send() {
  try {
    const body = editing
      ? { ...editing, ...procedure.read(form, editing), version: editing.version }
      : procedure.read(form);
    const id = editing?.id ?? newId;
    const { kept: keptHere } = await save("procedures", id, body, named(body));
    if (!editing) newId = uuid();
    const what = `${named(body)}, ${formatTime(body.performed_at)}.`;
    stopEditing();
    say(formStatus, keptHere ? `Saved on this phone: ${what} ${KEPT}` : `Saved: ${what}`);
    reveal(formStatus);
    await load();
  } catch (error) {
    if (error.status === 409 && error.current) {
      startEditing(error.current);
      say(formStatus, "This procedure was changed on another device. The form now shows that version: make your change again.", { problem: true });
      load();
    } else if (editing && (error.status === 404 || error.status === 410)) {
      stopEditing();
      say(formStatus, "This procedure was deleted on another device.", { problem: true });
      load();
    } else {
      say(formStatus, "");
      showProblem(form, error);
      return;
    }
    reveal(formStatus);
  }
}

async function deleteProcedure(listed) {
  const record = find(listed);
  let keptHere = false; // offline, the deletion waits on this phone
  const done = await confirmed(listed,
    async () => ({ kept: keptHere } = await remove("procedures", record.id, `deletion of ${named(record)}`)),
    (error) => say(status, `${named(record)} was not deleted: ${error.message}`, { problem: true }));
  if (!done) return;
  if (editing?.id === record.id) stopEditing();
  waiting.delete(record.id);
  show(records.filter((other) => other.id !== record.id));
  say(status, keptHere ? `Deleted on this phone: ${named(record)}. ${KEPT}` : `Deleted: ${named(record)}.`);
  $("list-title").focus();
}

onSubmit(form, send);
followNow(form.elements.performed_at);
onItemAction(list, {
  edit: (listed) => startEditing(find(listed)),
  delete: (listed) => openConfirm(listed, ".plan-actions", { prompt: `Delete ${named(find(listed))}?` }),
  confirm: deleteProcedure,
});
$("procedure-cancel").addEventListener("click", () => {
  const id = editing?.id;
  stopEditing();
  say(formStatus, "");
  list.querySelector(`[data-id="${CSS.escape(id)}"] [data-action="edit"]`)?.focus();
});
$("retry").addEventListener("click", () => load());
// What this phone kept offline is on the server now: list the procedures as the server has them.
addEventListener("outbox:synced", () => load());

load();
