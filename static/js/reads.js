// Reminders read on this phone, and the Inbox count in the bar.
//
// A reminder is marked read here first (localStorage, under the signed-in patient's id), then
// on the server (POST /notifications/<id>/read). Without a connection the mark waits here and
// is sent later: by the Inbox page, and by any page that finds marks waiting (app.js). The
// server's mark is idempotent, so sending one twice changes nothing.
import { all, api, UNREACHABLE } from "./api.js";
import { element } from "./show.js";

const KEY = `pain-diary-read:${document.body.dataset.user}`;

/** The ids of the reminders read on this phone that the server has not confirmed yet. */
export function waitingReads() {
  try {
    return new Set(JSON.parse(localStorage.getItem(KEY) ?? "[]"));
  } catch {
    return new Set();
  }
}

function keep(ids) {
  if (ids.size) localStorage.setItem(KEY, JSON.stringify([...ids]));
  else localStorage.removeItem(KEY);
}

/** Tell the server; true once it has the mark (or the reminder is gone), false when unreachable. */
async function send(id) {
  try {
    await api(`/notifications/${id}/read`, { method: "POST" });
  } catch (problem) {
    if (UNREACHABLE.includes(problem.status)) return false;
    // 404: swept after three months, or another patient's; nothing left to mark.
  }
  const ids = waitingReads();
  ids.delete(id);
  keep(ids);
  return true;
}

/** Mark reminder ``id`` read: on this phone at once, then on the server (resolves true) or later. */
export function markRead(id) {
  keep(waitingReads().add(id));
  return send(id);
}

/** Send the marks waiting on this phone; stops at the first the server cannot be reached for. */
export async function sendWaiting() {
  for (const id of waitingReads()) {
    if (!(await send(id))) return false;
  }
  return true;
}

/** Show ``count`` unread in the bar's Inbox link, as base.html writes it. */
export function showUnread(count) {
  const link = document.getElementById("inbox-link");
  if (!link) return;
  // "Inbox 2" shown (the word from 24rem up), "Inbox, 2 unread" read: what is shown is in the name.
  link.setAttribute("aria-label", count > 0 ? `Inbox, ${count} unread` : "Inbox");
  const badge = count > 0 ? [" ", element("span", { class: "inbox-count" }, String(count))] : [];
  link.replaceChildren(link.querySelector("svg"), link.querySelector(".inbox-word"), ...badge);
}

/** The unread reminders (the server's, or the phone's copy offline) less those read here; shown. */
export async function unread() {
  const items = await all("/notifications", { unread: true });
  const read = waitingReads();
  const left = items.filter((item) => !read.has(item.id));
  showUnread(left.length);
  return left;
}

/** On a page that finds marks waiting: send them, now and whenever the connection returns. */
export function catchUp() {
  let running = null;
  let asked = false;
  const attempt = async () => {
    if (!waitingReads().size) return;
    await sendWaiting();
    await unread();
  };
  // A connection that returns while an attempt is failing is not lost: one more attempt follows.
  const again = () => {
    asked = true;
    running ??= (async () => {
      while (asked) {
        asked = false;
        await attempt().catch(() => {});
      }
    })().finally(() => { running = null; });
    return running;
  };
  addEventListener("online", again);
  addEventListener("api:reachable", again);
  return again();
}
