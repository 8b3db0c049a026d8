// Push notifications on this phone (the Reminders page): turned on from a tap, which asks the
// browser's permission and sends the subscription to the server; turned off again.
import { api } from "./api.js";
import { say } from "./messages.js";
import { $ } from "./show.js";

const state = $("push-state");
const on = $("push-on");
const off = $("push-off");

/** The VAPID key as the browser takes it: base64url text to bytes. */
function keyBytes(base64url) {
  const text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

async function subscription() {
  const registration = await navigator.serviceWorker.ready;
  return registration.pushManager.getSubscription();
}

/** The server's id of this browser's subscription, or null. */
async function serverId(endpoint) {
  const known = await api("/push-subscriptions");
  return known.find((item) => item.endpoint === endpoint)?.id ?? null;
}

/** Say whether push is on here: "on" in the success colour, "off" plainly, a problem as one. */
function show(turnedOn, text, { problem = false } = {}) {
  say(state, text, { problem });
  state.classList.toggle("neutral", !turnedOn && !problem);
  on.hidden = turnedOn;
  off.hidden = !turnedOn;
}

const BLOCKED = "Notifications are blocked for Pain Diary. Allow them in the browser's site settings, then come back here.";

/** Why ``doing`` ("turned on") failed, in words. */
const failed = (problem, doing) => (problem.status === 0
  ? `You are offline: notifications can be ${doing} when you are back online.`
  : `Notifications could not be ${doing}: ${problem.message}`);

async function load() {
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say(state, "This browser cannot show push notifications. On an iPhone, add Pain Diary to the Home Screen first (Share, then Add to Home Screen) and open it from there.");
    state.classList.add("neutral");
    return;
  }
  if (Notification.permission === "denied") {
    say(state, BLOCKED, { problem: true });
    return;
  }
  try {
    const current = await subscription();
    const known = current && Notification.permission === "granted" && (await serverId(current.endpoint));
    show(Boolean(known), known ? "Notifications are on for this phone." : "Notifications are off for this phone.");
  } catch (problem) {
    show(false, failed(problem, "checked"), { problem: problem.status !== 0 });
  }
}

/** Run ``work`` on a tap of ``button``, disabled meanwhile; a failure is said in words. */
function onTap(button, doing, work) {
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await work();
    } catch (problem) {
      say(state, failed(problem, doing), { problem: true });
    } finally {
      button.disabled = false;
    }
  });
}

onTap(on, "turned on", async () => {
  // Asked from the tap itself: browsers refuse a permission prompt nobody asked for.
  const permission = await Notification.requestPermission();
  if (permission !== "granted") {
    show(false, permission === "denied" ? BLOCKED : "Notifications stay off: the browser did not get your permission.", { problem: true });
    return;
  }
  const { public_key: publicKey } = await api("/push/public-key");
  const registration = await navigator.serviceWorker.ready;
  let current = await registration.pushManager.getSubscription();
  if (current?.options?.applicationServerKey) {
    // Subscribed with another key (the server's keys changed): start again with this one.
    const key = new Uint8Array(current.options.applicationServerKey);
    if (key.join() !== keyBytes(publicKey).join()) {
      await current.unsubscribe();
      current = null;
    }
  }
  current ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
  const { endpoint, keys } = current.toJSON();
  await api("/push-subscriptions", { method: "POST", body: { endpoint, keys } });
  show(true, "Notifications are on for this phone.");
});

onTap(off, "turned off", async () => {
  const current = await subscription();
  if (current) {
    const id = await serverId(current.endpoint);
    if (id) await api(`/push-subscriptions/${id}`, { method: "DELETE" });
    await current.unsubscribe();
  }
  show(false, "Notifications are off for this phone.");
});

load();
