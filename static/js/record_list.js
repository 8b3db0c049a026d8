// A page's list of one collection's records, kept through the outbox (Procedures, Activity): a new
// record keeps one client id until the server or the outbox has it, one written or deleted on this
// phone shows as written here ("Waiting to sync") until the server has it, a change is sent with
// the version it read, and a Delete asks first. The form is templates/forms.html's entry_card.
// Unlike list_editor.js (Medications, Reminders), whose writes need the network, every write here
// may wait on this phone, so a load merges the outbox and a save or a deletion may be "kept".
import { all } from "./api.js";
import { confirmed, onItemAction, openConfirm } from "./confirm.js";
import { onSubmit, reset } from "./entries.js";
import { uuid } from "./ids.js";
import { reveal, say, sayNotLoaded, showProblem } from "./messages.js";
import { kept, remove, save } from "./outbox.js";
import { $ } from "./show.js";

const KEPT = "It syncs when you are back online.";

/**
 * The list of ``collection`` ("procedures") on the page, one of which is a ``noun``
 * ("procedure"); ``form`` and ``list`` are the ids of the form (its entry_card) and of the list,
 * whose status, problem, loading and empty lines are "<list>-status" and so on. The page gives:
 * - ``order(records)``: what is listed, each shown by ``item(shown, waits)``, a `li.plan` whose
 *   Edit and Delete are in `.plan-actions`; ``waits(record)`` is true while it waits to sync;
 * - ``written``: the fields a record written on this phone has besides what was sent;
 * - ``alongside()``: what else a load reads, handed to ``loaded(it)`` (nothing when it failed);
 * - ``fill(record)``, ``blank()``: the form shows the record, or is made ready for a new one;
 * - ``heading(record)``: the form's heading while it changes the record;
 * - ``write(editing, put)``: reads the form and sends it with ``put(target, body, label)`` (over
 *   ``target`` with the version it was read at, or as a new record); resolves to ``{kept, what}``
 *   ("Saved: <what>"), or null after saying what is missing;
 * - ``ask(record)``: the question before it is deleted, ``{prompt, hint}`` (see openConfirm);
 * - ``deletion(record)``: ``{name}`` in "<name> was not deleted", ``what`` in "Deleted: <what>.",
 *   ``label`` the outbox's name for the deletion.
 * It returns ``records`` (as loaded), ``load()`` (the page loads first) and ``stopEditing()``.
 */
export function recordList(page) {
  const { collection, noun } = page;
  const form = $(page.form);
  const list = $(page.list);
  const status = $(`${page.list}-status`);
  const problem = $(`${page.list}-problem`);
  const loading = $(`${page.list}-loading`);
  const formStatus = $(`${page.form}-status`);
  const title = $(`${page.form}-title`);
  const cancel = $(`${page.form}-cancel`);

  let records = []; // as loaded: the server's, with what waits on this phone in their place
  let waiting = new Set(); // the ids of those waiting to sync
  let editing = null; // the record the form changes, or null while it adds one
  let newId = uuid();
  let loads = 0; // a later load (after a save, a sync) wins over one still on its way

  const waits = (record) => waiting.has(record.id);
  /** The record a list item shows. */
  const find = (listed) => records.find((record) => record.id === listed.dataset.id);

  function show(listed) {
    records = listed;
    const shown = page.order(records);
    list.replaceChildren(...shown.map((entry) => page.item(entry, waits)));
    list.hidden = !shown.length;
    $(`${page.list}-empty`).hidden = Boolean(shown.length);
  }

  /** The server's records, with what this phone holds over them. */
  async function load() {
    const turn = ++loads;
    $("retry").hidden = true;
    loading.hidden = records.length > 0; // said while nothing is listed yet
    say(problem, "");
    // A record deleted on this phone, its deletion still waiting, is not listed; one written or
    // changed here shows as written here. A write the server refused leaves the server's copy.
    const outbox = (await kept()).filter((op) => op.collection === collection && !op.refused);
    const here = outbox.filter((op) => op.op === "put").map((op) => ({ ...op.body, id: op.id, ...page.written }));
    const replaced = new Set(outbox.map((op) => op.id));
    let stored = [];
    let also;
    try {
      [stored, also] = await Promise.all([all(`/${collection}`), page.alongside?.()]);
    } catch (error) {
      if (turn !== loads) return;
      sayNotLoaded(problem, `Your ${page.list}`, error);
      $("retry").hidden = false;
    }
    if (turn !== loads) return;
    page.loaded?.(also);
    waiting = new Set(here.map((record) => record.id));
    show([...stored.filter((record) => !replaced.has(record.id)), ...here]);
    loading.hidden = true;
  }

  function startEditing(record) {
    editing = record;
    reset(form);
    page.fill(record);
    title.textContent = page.heading(record);
    $(`${page.form}-save`).textContent = "Save changes";
    cancel.hidden = false;
    say(formStatus, "");
    title.focus();
  }

  function stopEditing() {
    editing = null;
    reset(form);
    page.blank?.();
    title.textContent = `Add a ${noun}`;
    $(`${page.form}-save`).textContent = `Save ${noun}`;
    cancel.hidden = true;
  }

  /** PUT ``body`` over ``target`` (with the version it was read at), or as a new record. */
  async function put(target, body, label) {
    const sent = target?.version ? { ...body, version: target.version } : body;
    const result = await save(collection, target?.id ?? newId, sent, label);
    if (!target) newId = uuid();
    return result;
  }

  async function send() {
    try {
      const saved = await page.write(editing, put);
      if (!saved) return;
      stopEditing();
      say(formStatus, saved.kept ? `Saved on this phone: ${saved.what} ${KEPT}` : `Saved: ${saved.what}`);
      reveal(formStatus);
      await load();
    } catch (error) {
      if (error.status === 409 && error.current) {
        startEditing(error.current);
        say(formStatus, `This ${noun} was changed on another device. The form now shows that version: make your change again.`, { problem: true });
        load();
      } else if (editing && (error.status === 404 || error.status === 410)) {
        stopEditing();
        say(formStatus, `This ${noun} was deleted on another device.`, { problem: true });
        load();
      } else {
        say(formStatus, "");
        showProblem(form, error);
        return;
      }
      reveal(formStatus);
    }
  }

  async function deleteRecord(listed) {
    const record = find(listed);
    const { name, what, label } = page.deletion(record);
    let keptHere = false; // offline, the deletion waits on this phone
    const done = await confirmed(listed,
      async () => ({ kept: keptHere } = await remove(collection, record.id, label)),
      (error) => say(status, `${name} was not deleted: ${error.message}`, { problem: true }));
    if (!done) return;
    if (editing?.id === record.id) stopEditing();
    waiting.delete(record.id);
    show(records.filter((other) => other.id !== record.id));
    say(status, keptHere ? `Deleted on this phone: ${what}. ${KEPT}` : `Deleted: ${what}.`);
    $("list-title").focus();
  }

  onSubmit(form, send);
  onItemAction(list, {
    edit: (listed) => startEditing(find(listed)),
    delete: (listed) => openConfirm(listed, ".plan-actions", page.ask(find(listed))),
    confirm: deleteRecord,
  });
  cancel.addEventListener("click", () => {
    const id = editing?.id;
    stopEditing();
    say(formStatus, "");
    list.querySelector(`[data-id="${CSS.escape(id)}"] [data-action="edit"]`)?.focus();
  });
  $("retry").addEventListener("click", () => load());
  // What this phone kept offline is on the server now: list the records as the server has them.
  addEventListener("outbox:synced", () => load());

  return { get records() { return records; }, load, stopEditing };
}
