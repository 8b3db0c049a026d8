// Procedures: log one (what, when, where, by whom, the relief felt) and the list of those logged,
// newest first, each with its response so far in words (the summary's procedures section), Edit
// and a Delete that asks first. Writes go through the outbox as Today's do: a new procedure keeps
// one client id until the server or the outbox has it, and one logged or changed offline is
// listed, marked "Waiting to sync", until the server has it. The list and its form: record_list.js.
import { api } from "./api.js";
import { followNow, procedure } from "./entries.js";
import { label, sitesInWords } from "./history_entries.js";
import { formatDate, formatTime, localParts } from "./localtime.js";
import { responseInWords } from "./procedure_response.js";
import { recordList } from "./record_list.js";
import { $, element } from "./show.js";

const form = $("procedure");

let responses = new Map(); // the summary's response of each procedure, by its id

const kindOf = (record) => label("procedure_kinds", record.kind);
/** "Tuesday 3 March, 09:30" of an instant, on the patient's clock. */
const dayAndTime = (iso) => `${formatDate(localParts(iso).date)}, ${formatTime(iso)}`;
/** What a procedure is called in a question or a message: "Nerve block of Tuesday 3 March". */
const named = (record) => `${kindOf(record)} of ${formatDate(localParts(record.performed_at).date)}`;

function item(record, waits) {
  const name = element("p", { class: "plan-name" }, kindOf(record));
  if (waits(record)) name.append(" ", element("span", { class: "tag" }, "Waiting to sync"));
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

/** The summary's responses by procedure id; none when it cannot be read (the list still shows). */
async function loadResponses() {
  try {
    return new Map((await api("/summary")).procedures.map((response) => [response.procedure_id, response]));
  } catch {
    return new Map();
  }
}

/** Save the form: a new procedure under its client id, a change with the version it read. */
async function write(editing, put) {
  const body = editing ? { ...editing, ...procedure.read(form, editing) } : procedure.read(form);
  const { kept } = await put(editing, body, named(body));
  return { kept, what: `${named(body)}, ${formatTime(body.performed_at)}.` };
}

const procedures = recordList({
  collection: "procedures",
  noun: "procedure",
  form: "procedure",
  list: "procedures",
  order: (records) => records.sort((a, b) => new Date(b.performed_at) - new Date(a.performed_at)),
  item,
  alongside: loadResponses,
  loaded: (known = new Map()) => { responses = known; },
  fill: (record) => procedure.fill(form, record),
  heading: (record) => `Change ${named(record)}`,
  write,
  ask: (record) => ({ prompt: `Delete ${named(record)}?` }),
  deletion: (record) => ({ name: named(record), what: named(record), label: `deletion of ${named(record)}` }),
});
followNow(form.elements.performed_at);

procedures.load();
