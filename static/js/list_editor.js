// A list the patient keeps (Medications, Reminders; templates/forms.html): the items, each
// with Edit and a Delete that asks first, above one form that adds an item or changes the one
// being edited. The page says what an item is; the editor does the rest.
import { all, api } from "./api.js";
import { confirmed, onItemAction, openConfirm } from "./confirm.js";
import { clearProblems, say, sayNotLoaded, showSaveProblem } from "./messages.js";
import { $ } from "./show.js";

/**
 * The editor of the page's list of ``name`` (the collection, "medications"), one of which is a
 * ``noun`` ("medication"). The page gives:
 * - ``list``, ``form``: the list and the form;
 * - ``load()``: the items (by default all of GET /<name>); ``order(items)``: as listed;
 * - ``item(record)``: its list item, a `li.plan` with `.plan-actions` holding Edit and Delete;
 * - ``named(record)``: what it is called in a message ("Pregabalin");
 * - ``ask(record)``: the question before it is deleted, ``{prompt, hint}`` (see openConfirm);
 * - ``blank()``: the form's own fields as for a new item, after the form is reset;
 * - ``fill(record)``: the form shows the record; returns what to focus;
 * - ``heading(record)``: the form's heading while it changes the record;
 * - ``read(editing)``: the form as an API body, or null after saying what is missing;
 * - ``save(body, editing)``: sends it; resolves to ``{saved, message}``;
 * - ``actions``: the list's other buttons, by data-action: ``(record, button) => …``.
 * The rest of the page is found by the ids templates/forms.html gives it. The list loads
 * at once; the editor returned lets the page show a record the server changed (``put``).
 */
export function listEditor(page) {
  const { name, noun, list, form } = page;
  const status = $(`${name}-status`);
  const formStatus = $("form-status");
  const saveButton = $("save");
  let items = [];
  let editing = null; // the item as read, while the form changes it
  let saving = false;

  function show(records) {
    items = records;
    list.replaceChildren(...(page.order?.(items) ?? items).map(page.item));
    list.hidden = !items.length;
    $(`${name}-empty`).hidden = Boolean(items.length);
  }

  /** Show ``record`` in the place of its older version, or as a new one at the end. */
  function put(record) {
    const known = items.some((other) => other.id === record.id);
    show(known ? items.map((other) => (other.id === record.id ? record : other)) : [...items, record]);
  }

  async function load() {
    $("retry").hidden = true;
    say($(`${name}-problem`), "");
    try {
      show(await (page.load?.() ?? all(`/${name}`)));
    } catch (error) {
      sayNotLoaded($(`${name}-problem`), `Your ${name}`, error);
      $("retry").hidden = false;
    } finally {
      $(`${name}-loading`).hidden = true;
    }
  }

  function blank() {
    form.reset();
    clearProblems(form);
    page.blank();
  }

  function startEditing(record) {
    editing = record;
    blank();
    const focus = page.fill(record);
    $("form-title").textContent = page.heading(record);
    saveButton.textContent = "Save changes";
    $("cancel-edit").hidden = false;
    say(formStatus, "");
    focus.focus();
  }

  function stopEditing() {
    editing = null;
    blank();
    $("form-title").textContent = `Add a ${noun}`;
    saveButton.textContent = `Save ${noun}`;
    $("cancel-edit").hidden = true;
  }

  /** The server has ``current`` (or nothing) where the page had an older version. */
  function changedElsewhere(current) {
    if (current) {
      put(current);
      if (editing?.id === current.id) startEditing(current);
    }
    load();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (saving) return; // a second tap must not send the item again
    clearProblems(form);
    const body = page.read(editing);
    if (!body) return;
    saving = true;
    saveButton.disabled = true;
    say(formStatus, "");
    try {
      const { saved, message } = await page.save(body, editing);
      if (editing) stopEditing();
      else blank();
      put(saved);
      say(formStatus, message);
    } catch (error) {
      if (error.status === 409 && editing) {
        changedElsewhere(error.current);
        say(formStatus, `This ${noun} was changed on another device. The form now shows that version: make your change again.`, { problem: true });
      } else if (error.status === 404 || error.status === 410) {
        stopEditing();
        load();
        say(formStatus, `This ${noun} was deleted on another device.`, { problem: true });
      } else {
        showSaveProblem(form, formStatus, error, `the ${noun}`);
      }
    } finally {
      saving = false;
      saveButton.disabled = false;
    }
  });

  async function remove(item, record) {
    const done = await confirmed(item, () => api(`/${name}/${record.id}`, { method: "DELETE" }),
      (error) => say(status, error.status === 0
        ? `You are offline: the ${noun} was not deleted. Try again when you are online.`
        : `${page.named(record)} was not deleted: ${error.message}`, { problem: true }));
    if (!done) return;
    if (editing?.id === record.id) stopEditing();
    show(items.filter((other) => other.id !== record.id));
    say(status, `${page.named(record)} deleted.`);
    $("list-title").focus();
  }

  const find = (item) => items.find((record) => record.id === item.dataset.id);
  const actions = Object.entries(page.actions ?? {}).map(([action, run]) => [
    action, (item, button) => run(find(item), button),
  ]);
  onItemAction(list, {
    ...Object.fromEntries(actions),
    edit: (item) => startEditing(find(item)),
    delete: (item) => openConfirm(item, ".plan-actions", page.ask(find(item))),
    confirm: (item) => remove(item, find(item)),
  });
  $("cancel-edit").addEventListener("click", () => {
    const id = editing?.id;
    stopEditing();
    say(formStatus, "");
    list.querySelector(`[data-id="${id}"] [data-action="edit"]`)?.focus();
  });
  $("retry").addEventListener("click", () => {
    $(`${name}-loading`).hidden = false;
    load();
  });

  blank();
  load();
  return { get items() { return items; }, list, status, put, changedElsewhere };
}
