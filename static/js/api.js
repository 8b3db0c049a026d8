// The JSON API as the pages use it: the session cookie, X-CSRFToken, and the one error shape.

const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content;

/** An answer in the error shape: {status, code, message, fields, current}. */
export class ApiProblem extends Error {
  constructor({ status, code, message, fields = {}, current = null }) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.current = current;
  }
}

/** Statuses that mean the server was not reached (a proxy answered for it), not that it said no. */
export const UNREACHABLE = [0, 502, 503, 504];
let unreachableSeen = false;

/** Call /api/v1`path`; resolves to the JSON answer (null for 204), rejects with an ApiProblem. */
export async function api(path, { method = "GET", body, query } = {}) {
  const url = new URL(`/api/v1${path}`, location.origin);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  const send = () => {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET") {
      headers["X-CSRFToken"] = csrfToken() ?? "";
      // Whose page this is: a tab left open by one patient cannot write as the next one to sign
      // in on this phone (the server answers 401), nor send them what waits in its outbox.
      if (document.body.dataset.user) headers["X-User-Id"] = document.body.dataset.user;
    }
    return fetch(url, {
      method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  };
  let response;
  try {
    response = await send();
    if (response.status === 403 && method !== "GET" && (await renewedToken(response))) response = await send();
  } catch {
    unreachableSeen = true;
    throw new ApiProblem({ status: 0, code: "offline", message: "No connection. Try again when you are online." });
  }
  if (UNREACHABLE.includes(response.status)) {
    unreachableSeen = true;
  } else if (unreachableSeen) {
    // Through again: whatever waits in the outbox can go now (outbox.js listens).
    unreachableSeen = false;
    dispatchEvent(new Event("api:reachable"));
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (response.ok) return data;
  if (response.status === 401 && csrfToken()) {
    // The session ended (signed out elsewhere, password changed, someone else signed in): sign
    // in again, then come back. Whoever is signed in now is sent on to their own page.
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
  }
  throw new ApiProblem(data?.error ?? { status: response.status, code: "error", message: response.statusText });
}

/**
 * After a 403 for the CSRF token, take the session's current one from GET /me: a page opened
 * from the phone's copy carries the token of the day it was kept. True when there is one.
 */
async function renewedToken(refused) {
  const problem = await refused.clone().json().catch(() => null);
  if (problem?.error?.code !== "csrf_failed") return false;
  const me = await fetch("/api/v1/me", { headers: { Accept: "application/json" }, credentials: "same-origin" });
  const token = me.ok ? (await me.json()).csrf_token : null;
  if (!token) return false;
  document.querySelector('meta[name="csrf-token"]')?.setAttribute("content", token);
  return true;
}

/** Every page of a list: follows next_cursor until the end. */
export async function all(path, query = {}) {
  const items = [];
  let cursor;
  do {
    const page = await api(path, { query: { ...query, limit: 500, cursor } });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
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

/** A version-4 UUID, also where crypto.randomUUID is missing (plain http on a LAN address). */
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The patient's IANA time zone: a day in the diary is a day there, wherever the phone is. */
export const timezone = document.body.dataset.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone;

const partsFormat = new Intl.DateTimeFormat("en-GB", {
  timeZone: timezone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "longOffset",
});

function zoneParts(instant) {
  const parts = Object.fromEntries(partsFormat.formatToParts(instant).map((p) => [p.type, p.value]));
  const offset = parts.timeZoneName.replace("GMT", "") || "+00:00";
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${parts.hour}:${parts.minute}`,
    seconds: parts.second,
    offset,
  };
}

/** {date: "YYYY-MM-DD", time: "HH:MM", offset: "+01:00"} of an instant in the patient's zone. */
export function localParts(instant = new Date()) {
  return zoneParts(instant instanceof Date ? instant : new Date(instant));
}

/** Today's date in the patient's zone, "YYYY-MM-DD". */
export const today = () => localParts().date;

/** A date "YYYY-MM-DD" plus or minus ``days``. */
export function addDays(date, days) {
  const day = new Date(`${date}T12:00:00Z`);
  day.setUTCDate(day.getUTCDate() + days);
  return day.toISOString().slice(0, 10);
}

/** An instant as ISO 8601 with the patient's offset at that moment, to the second. */
export function isoLocal(instant = new Date()) {
  const p = localParts(instant);
  return `${p.date}T${p.time}:${p.seconds}${p.offset}`;
}

/** Now as ISO 8601 with the patient's offset, to the second. */
export const now = () => isoLocal();

/** "YYYY-MM-DDTHH:MM" of an instant on the patient's clock: what a datetime-local field holds. */
export function wallClock(instant = new Date()) {
  const p = localParts(instant);
  return `${p.date}T${p.time}`;
}

const MINUTE = 60_000;
const HALF_DAY = 720 * MINUTE;

/** The zone's offset at ``t`` (ms since the epoch), in ms: the patient's clock read as UTC, minus t. */
function offsetAt(t) {
  const p = localParts(new Date(t));
  return Date.parse(`${p.date}T${p.time}:${p.seconds}Z`) - t;
}

/**
 * The instant the patient's clock shows ``time`` ("HH:MM") on ``date``, by the server's DST rule
 * (pain_diary/localtime.py at_local_time): a time that happens twice is its first occurrence, one
 * that daylight saving time skips is the first minute after the gap (02:30 → 03:00).
 */
export function localInstant(date, time) {
  const wanted = `${date}T${time}`;
  const wall = Date.parse(`${wanted}:00Z`);
  const shown = [wall - offsetAt(wall - HALF_DAY), wall - offsetAt(wall + HALF_DAY)]
    .filter((t) => wallClock(new Date(t)) === wanted);
  if (shown.length) return new Date(Math.min(...shown));
  let t = wall - offsetAt(wall + HALF_DAY); // before the gap: walk on to its end
  for (let step = 0; step < 48 * 60 && wallClock(new Date(t)) < wanted; step += 1) t += MINUTE;
  return new Date(t);
}

/** A local date and "HH:MM" in the patient's zone as ISO 8601 with that moment's offset. */
export const zoned = (date, time) => isoLocal(localInstant(date, time));

/** A datetime-local field's "YYYY-MM-DDTHH:MM" in the patient's zone as ISO 8601, or null. */
export const fromWallClock = (value) => (value ? zoned(value.slice(0, 10), value.slice(11, 16)) : null);

const timeFormat = new Intl.DateTimeFormat(undefined, { timeZone: timezone, hour: "2-digit", minute: "2-digit" });
const dayFormat = new Intl.DateTimeFormat(undefined, { timeZone: "UTC", weekday: "long", day: "numeric", month: "long" });

/** "21:40" (or "9:40 PM", as the phone is set) for an ISO instant. */
export const formatTime = (iso) => timeFormat.format(new Date(iso));

/** "Wednesday 2 December" for a local date "YYYY-MM-DD". */
export const formatDay = (date) => dayFormat.format(new Date(`${date}T12:00:00Z`));

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

/** The page's vocabulary (body sites, qualities...) rendered by the server as JSON. */
export function words() {
  const element = document.getElementById("words");
  return element ? JSON.parse(element.textContent) : {};
}
