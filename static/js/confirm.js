// Two-step removal: an item's destructive action asks first, and its answer waits for the server.
import { element } from "./show.js";

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

/**
 * Send the removal the patient confirmed on ``item``: its buttons wait for ``request``. True when
 * it is done, or gone already (404, 410: removed on another device, so what was asked is true);
 * otherwise the buttons work again, ``failed(error)`` says why, and false.
 */
export async function confirmed(item, request, failed) {
  const buttons = item.querySelectorAll(".confirm button");
  for (const button of buttons) button.disabled = true;
  try {
    await request();
  } catch (error) {
    if (error.status !== 404 && error.status !== 410) {
      for (const button of buttons) button.disabled = false;
      failed(error);
      return false;
    }
  }
  return true;
}

/**
 * Hand a click on a button of ``list`` to ``actions[its data-action](item, button)``, the item
 * being its list item; "cancel" closes the item's question.
 */
export function onItemAction(list, actions) {
  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const item = button.closest("li");
    if (button.dataset.action === "cancel") closeConfirm(item, { focus: true });
    else actions[button.dataset.action]?.(item, button);
  });
}
