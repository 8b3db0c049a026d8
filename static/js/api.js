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
