// What a page tells the patient: a line in a status element, and a form's problems next to the
// fields they are about (each in its `data-error-for` slot).

/** Show ``text`` in a role="status" element, so screen readers announce it. */
export function say(element, text, { problem = false } = {}) {
  element.textContent = text;
  element.classList.toggle("problem", problem);
}

/** Scroll ``element`` into the screen if any of it is outside: a save's message is seen. */
export function reveal(element) {
  const box = element.getBoundingClientRect();
  if (box.top < 0 || box.bottom > innerHeight) element.scrollIntoView({ block: "nearest" });
}

/** Say in ``slot`` why ``what`` ("Your history") is not shown: no connection, or the API's reason. */
export function sayNotLoaded(slot, what, problem) {
  say(slot, problem.status === 0
    ? `You are offline. ${what} will show when you are back online.`
    : `${what} could not be loaded: ${problem.message}`, { problem: true });
}

function errorSlot(form, name) {
  // "body_sites.0.site" is shown next to "body_sites" when the form has no slot for the part.
  for (let key = name; key; key = key.includes(".") ? key.slice(0, key.lastIndexOf(".")) : "") {
    const slot = form.querySelector(`[data-error-for="${CSS.escape(key)}"]`);
    if (slot) return slot;
  }
  return form.querySelector('[data-error-for="body"]');
}

/** Clear the messages a previous showProblem put in ``form``. */
export function clearProblems(form) {
  for (const slot of form.querySelectorAll("[data-error-for]")) slot.textContent = "";
  for (const field of form.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
}

/** Put each of the problem's messages next to the field it names; the rest at the form's top. */
export function showProblem(form, problem) {
  clearProblems(form);
  const fields = Object.entries(problem.fields ?? {});
  if (!fields.length) fields.push(["body", [problem.message]]);
  let first = null;
  for (const [name, messages] of fields) {
    const slot = errorSlot(form, name);
    if (!slot) continue;
    slot.textContent = [slot.textContent, ...messages].filter(Boolean).join(" ");
    const field = form.querySelector(`[name="${CSS.escape(name.split(".")[0])}"]`);
    if (field) {
      field.setAttribute("aria-invalid", "true");
      first ??= field;
    }
  }
  (first ?? errorSlot(form, "body"))?.focus?.();
}

/** A save that failed: being offline said in ``status``, the API's reasons next to their fields. */
export function showSaveProblem(form, status, problem, what) {
  if (problem.status === 0) {
    say(status, `No connection: ${what} is not saved yet. Tap Save again when you are online.`, { problem: true });
  } else {
    say(status, "");
    showProblem(form, problem);
  }
}

/** Put the messages of ``missing`` ([error slot name, field, message]) in ``form``; false if any. */
export function nothingMissing(form, missing) {
  for (const [name, field, message] of missing) {
    form.querySelector(`[data-error-for="${name}"]`).textContent = message;
    field?.setAttribute("aria-invalid", "true");
  }
  missing[0]?.[1]?.focus();
  return missing.length === 0;
}

