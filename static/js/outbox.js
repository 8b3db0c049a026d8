// The outbox: writes the server did not get, kept on this phone (IndexedDB) with their client ids.
//
// save() and remove() send a write at once. When the server cannot be reached (no connection, or
// it answers 502-504) the write waits here, and replay() sends what waits through POST /sync:
// at app start, on the `online` event, when any request gets through again, and every 30 s while
// something waits. The server's PUT by client id is idempotent, so sending a write twice (two
// tabs, a lost answer) stores it once. A write the server refuses (409, 410, 422...) is kept and
// shown with the reason until the patient dismisses it: nothing is dropped silently.
//
// Each write is the patient's own (the signed-in user's id is kept with it): another account
// signed in on the same phone neither sees nor sends it.
import { api, ApiProblem, UNREACHABLE } from "./api.js";

const DB_NAME = "pain-diary";
const STORE = "outbox";
const BATCH = 200; // the most POST /sync takes at once
const RETRY_MS = 30_000;
const channel = "BroadcastChannel" in self ? new BroadcastChannel("pain-diary-outbox") : null;
const user = document.body.dataset.user;

let database;
function open() {
  database ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "key" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return database;
}

/** Run ``work(store)`` in one transaction; resolves with its result once the transaction commits. */
async function transaction(mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    let result;
    Promise.resolve(work(tx.objectStore(STORE))).then((value) => { result = value; }, reject);
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

const asPromise = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

/** The patient's kept writes, oldest first. */
export async function kept() {
  const all = await transaction("readonly", (store) => asPromise(store.getAll()));
  return all.filter((item) => item.user === user).sort((a, b) => a.queued - b.queued);
}

/** Whether the server could not be reached, as opposed to having answered no. */
const unreachable = (problem) => problem instanceof ApiProblem && UNREACHABLE.includes(problem.status);

/**
 * PUT ``body`` as ``/collection/id``. Resolves to ``{record}`` when the server has it, or to
 * ``{kept: true}`` when it waits on this phone; rejects with the server's ApiProblem (a 4xx).
 * ``what`` names the write for the patient ("Check-in, pain 7 at 14:05").
 */
export function save(collection, id, body, what) {
  return write({ op: "put", collection, id, body, what });
}

/** DELETE ``/collection/id``, kept like save() when the server cannot be reached. */
export function remove(collection, id, what) {
  return write({ op: "delete", collection, id, body: null, what });
}

async function write(operation) {
  const key = `${operation.collection}/${operation.id}`;
  // A record with a write still waiting waits behind it: sent now, it could be overwritten
  // by the older one at the next replay.
  if (!(await kept()).some((item) => item.key === key)) {
    try {
      const path = `/${operation.collection}/${operation.id}`;
      const record = await api(path, operation.op === "put" ? { method: "PUT", body: operation.body } : { method: "DELETE" });
      return { record };
    } catch (problem) {
      if (!unreachable(problem)) throw problem;
    }
  }
  await transaction("readwrite", (store) => store.put({
    ...operation, key, user, queued: Date.now(), revision: crypto.getRandomValues(new Uint32Array(1))[0],
    refused: null,
  }));
  navigator.storage?.persist?.(); // ask the browser not to clear this under storage pressure
  changed();
  return { kept: true };
}

/** Forget a write the server refused, once the patient has read why. */
export async function dismiss(key) {
  await transaction("readwrite", (store) => store.delete(key));
  changed();
}

let replaying = null;

/** Send what waits; one replay at a time in this tab, and (where Web Locks exist) on this phone. */
export function replay() {
  replaying ??= (navigator.locks
    ? navigator.locks.request("pain-diary-outbox", { ifAvailable: true }, (lock) => lock && send())
    : send()
  ).finally(() => { replaying = null; });
  return replaying;
}

async function send() {
  const waiting = (await kept()).filter((item) => !item.refused);
  let synced = 0;
  for (let start = 0; start < waiting.length; start += BATCH) {
    const batch = waiting.slice(start, start + BATCH);
    let results;
    try {
      ({ results } = await api("/sync", {
        method: "POST",
        body: { operations: batch.map(({ op, collection, id, body }) => (op === "put" ? { op, collection, id, body } : { op, collection, id })) },
      }));
    } catch (problem) {
      if (unreachable(problem)) break; // still offline: try again later
      throw problem;
    }
    synced += await settle(batch, results);
  }
  changed({ synced });
}

/** Take each answered write out of the outbox; keep a refused one with its reason. */
function settle(batch, results) {
  return transaction("readwrite", async (store) => {
    let done = 0;
    for (const [index, item] of batch.entries()) {
      const { status, error } = results[index];
      if (status >= 500) continue; // the server could not apply it now: it waits
      // Changed again while this copy was on its way: the newer write waits for the next replay.
      const current = await asPromise(store.get(item.key));
      if (current?.revision !== item.revision) continue;
      if (status < 300 || (item.op === "delete" && status === 404)) {
        store.delete(item.key);
        done += 1;
      } else {
        store.put({ ...item, refused: { status, message: error?.message ?? "Refused by the server.", fields: error?.fields ?? {} } });
      }
    }
    return done;
  });
}

const listeners = new Set();

/** Call ``listener({waiting, refused, synced})`` now and after every change, in any tab. */
export function watch(listener) {
  listeners.add(listener);
  tell();
}

async function tell(extra = {}) {
  const items = await kept();
  const state = { waiting: items.filter((item) => !item.refused), refused: items.filter((item) => item.refused), ...extra };
  for (const listener of listeners) listener(state);
}

function changed(extra = {}) {
  channel?.postMessage(extra);
  tell(extra);
}

channel?.addEventListener("message", (event) => tell(event.data));

/** Replay at start, on `online`, when a request gets through again, and while anything waits. */
export function start() {
  const again = () => replay().catch(() => {});
  addEventListener("online", again);
  addEventListener("api:reachable", again);
  setInterval(async () => {
    if (document.visibilityState === "visible" && (await kept()).some((item) => !item.refused)) again();
  }, RETRY_MS);
  again();
}
