// The service worker, served at /sw.js so that its scope is the whole app.
// The server puts three constants before this text: VERSION (a hash of the files in SHELL),
// SHELL (the scripts, styles and icons every page needs) and PAGES (the patient's menu and Inbox).
// A new VERSION is a new worker.
//
// - The shell is cached at install and served from the cache.
// - Patient pages and the patient's own API reads go to the network first; what came back is
//   kept, so the last-seen page, doses and charts open without a connection.
// - What is kept is one signed-in user's (the server names them in X-User-Id on each answer):
//   signing in or out, a 401 or the sign-in page shown (the session ended elsewhere) empties it,
//   and an answer for another user starts a new copy. The outbox (outbox.js) is not emptied:
//   each write in it is its maker's, sent only in their session.
// - Writes are never answered here: the pages keep what could not be sent in their outbox.
// - Push messages become notifications; a medication reminder's "Taken" and "Snooze" act
//   through the API with the session cookie.
/* global VERSION, SHELL, PAGES */

const SHELL_CACHE = `shell-${VERSION}`;
const DATA_CACHE = "data"; // the signed-in user's pages and reads
// An entry of DATA_CACHE, not a page: the id of the user whose copy it is.
const OWNER = "/.kept-for";
const SIGN_IN = "/login";
// Requests that end or start a session: whoever the copy was kept for is not signed in after them.
const SESSION_CHANGES = ["/logout", "/api/v1/auth/logout", "/api/v1/auth/login"];
// Reads that are another person's (a clinician's patients) or about the session itself; and
// downloads, of no use offline.
const NOT_KEPT = [
  "/api/v1/patients", "/api/v1/auth", "/api/v1/audit-events", "/api/v1/care-team", "/api/v1/push",
  "/api/v1/export", "/api/v1/summary.pdf",
];
// Charts and lists are kept per period: the oldest go once there are this many.
const MOST_KEPT = 300;
// A slow network gives way to the kept copy after this long.
const NETWORK_WAIT_MS = 4000;
const SNOOZE_MINUTES = 15;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    await cache.addAll(SHELL);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("shell-") && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "signed-in") event.waitUntil(keepPages(event.data.user));
});

// Changes to the kept copy run one after another, so that one emptying it and one keeping an
// answer (or checking whose it is) never interleave.
let changes = Promise.resolve();
function inTurn(change) {
  const done = changes.then(change);
  changes = done.catch(() => {});
  return done;
}

/** Empty the kept copy: whoever it was kept for is no longer signed in here. */
const forget = () => inTurn(() => caches.delete(DATA_CACHE));

/** Whether ``response`` says that no one is signed in: a 401, or the sign-in page itself. */
function signedOut(response) {
  return response.status === 401 || (response.ok && new URL(response.url).pathname === SIGN_IN);
}

/**
 * Fetch each patient page not kept yet for ``user`` (the page's), so that all of them open
 * offline after one visit.
 */
async function keepPages(user) {
  for (const path of PAGES) {
    if (await held(path, user)) continue;
    let response;
    try {
      response = await fetch(path, { credentials: "same-origin" });
    } catch {
      return; // offline: the next visit tries again
    }
    if (signedOut(response)) return forget();
    await keep(new Request(path), response);
  }
  return undefined;
}

/** Whether ``path`` is kept, in ``user``'s copy. */
function held(path, user) {
  return inTurn(async () => {
    if (!user || !(await caches.has(DATA_CACHE))) return false;
    const cache = await caches.open(DATA_CACHE);
    return (await (await cache.match(OWNER))?.text()) === user && Boolean(await cache.match(path));
  });
}

/**
 * Keep ``response`` for ``request`` when it is a signed-in user's answer itself (not a redirect
 * to sign in); a copy kept for someone else goes first. A 401 or the sign-in page empties it.
 */
function keep(request, response) {
  if (signedOut(response)) return forget();
  const user = response.headers.get("X-User-Id");
  if (!user || !response.ok || response.redirected || response.type !== "basic") return Promise.resolve();
  const copy = response.clone(); // now: the page reads the body meanwhile
  return inTurn(async () => {
    let cache = await caches.open(DATA_CACHE);
    if ((await (await cache.match(OWNER))?.text()) !== user) {
      await caches.delete(DATA_CACHE);
      cache = await caches.open(DATA_CACHE);
      await cache.put(OWNER, new Response(user));
    }
    await cache.put(request, copy);
    await trim(cache);
  });
}

/** Drop the oldest kept answers beyond MOST_KEPT (a cache lists its keys oldest first). */
async function trim(cache) {
  const keys = (await cache.keys()).filter((key) => new URL(key.url).pathname !== OWNER);
  await Promise.all(keys.slice(0, Math.max(0, keys.length - MOST_KEPT)).map((key) => cache.delete(key)));
}

function keptRead(url) {
  if (url.pathname.startsWith("/api/v1/")) {
    return !NOT_KEPT.some((path) => url.pathname.startsWith(path));
  }
  return PAGES.includes(url.pathname) || url.pathname.startsWith("/history/");
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== location.origin) return;
  if (request.method !== "GET") {
    // Signing in or out empties what this phone kept; the outbox stays (see outbox.js).
    if (SESSION_CHANGES.includes(url.pathname)) event.waitUntil(forget());
    return;
  }
  if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit ?? fetch(request)));
  } else if (keptRead(url)) {
    event.respondWith(networkFirst(event, request));
  } else if (request.mode === "navigate") {
    // Not kept, but watched: the sign-in page shown means the session ended.
    const network = fetch(request);
    event.waitUntil(network.then((response) => signedOut(response) && forget(), () => null));
    event.respondWith(network.catch(offlinePage));
  }
});

/** The network's answer, kept; the kept one when the network fails or is slow. */
async function networkFirst(event, request) {
  const network = fetch(request);
  event.waitUntil(network.then((response) => keep(request, response), () => null));
  const slow = new Promise((resolve) => { setTimeout(resolve, NETWORK_WAIT_MS, null); });
  try {
    const first = await Promise.race([network, slow]);
    if (first) return first;
    return (await kept(request)) ?? (await network);
  } catch (error) {
    const copy = await kept(request);
    if (copy) return copy;
    if (request.mode === "navigate") return offlinePage();
    throw error;
  }
}

/** The kept answer; for a page, also the one kept under another query (Trends' ?days=90). */
async function kept(request) {
  const options = { cacheName: DATA_CACHE };
  return (await caches.match(request, options))
    ?? (request.mode === "navigate" ? caches.match(request, { ...options, ignoreSearch: true }) : undefined);
}

function offlinePage() {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark">
<title>Offline · Pain Diary</title><link rel="stylesheet" href="/static/css/app.css"></head>
<body><main id="content" class="page"><h1>You are offline</h1>
<p>This page has not been opened on this phone yet, so there is no copy of it here.</p>
<p><a href="/today">Go to Today</a>: check-ins made offline are kept on the phone and sent later.</p></main></body></html>`;
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

// Push: the payload is {title, body, url, tag, notification_id, kind}, without health data.
self.addEventListener("push", (event) => {
  event.waitUntil(showReminder(event.data ? event.data.json() : {}));
});

/** Show a reminder; the tag is the delivery id, so a repeat replaces it rather than stacking. */
function showReminder(message) {
  const actionable = message.kind === "medication" && message.notification_id;
  return self.registration.showNotification(message.title || "Pain Diary", {
    body: message.body || "",
    tag: message.tag,
    icon: "/static/icons/icon-192.png",
    badge: "/static/icons/icon-192.png",
    data: { url: message.url || "/today", notification_id: message.notification_id || null },
    actions: actionable ? [{ action: "taken", title: "Taken" }, { action: "snooze", title: "Snooze" }] : [],
  });
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(answerReminder(event.notification, event.action));
});

/** "Taken" logs the dose and "Snooze" reminds again later, both through the API; a tap opens the page. */
async function answerReminder(notification, action) {
  const { url, notification_id: id } = notification.data ?? {};
  if (!action) return openPage(url);
  const path = action === "taken" ? `/notifications/${id}/taken` : `/notifications/${id}/snooze`;
  const body = action === "taken" ? {} : { minutes: SNOOZE_MINUTES };
  try {
    await post(path, body);
  } catch (problem) {
    // Offline, signed out or refused: say so, and let a tap open the page to log it there.
    return self.registration.showNotification("Pain Diary", {
      body: problem.message, tag: notification.tag, icon: "/static/icons/icon-192.png", data: { url, notification_id: null },
    });
  }
  return undefined;
}

/** POST to the API as the signed-in patient: the CSRF token comes from GET /me. */
async function post(path, body) {
  const me = await request("/me", { headers: { Accept: "application/json" } });
  return request(path, {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": me.csrf_token ?? "" },
    body: JSON.stringify(body),
  });
}

async function request(path, options) {
  let response;
  try {
    response = await fetch(`/api/v1${path}`, { credentials: "same-origin", ...options });
  } catch {
    throw new Error("No connection: nothing was logged. Tap to open the app and log it there.");
  }
  const data = await response.json().catch(() => null);
  if (response.status === 401) {
    await forget();
    throw new Error("Signed out: nothing was logged. Tap to sign in and log it.");
  }
  if (!response.ok) throw new Error(`Not logged: ${data?.error?.message ?? response.statusText}`);
  return data;
}

/** Focus a window of the app and take it to ``url``, or open one. */
async function openPage(url = "/today") {
  const target = new URL(url, location.origin).href;
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const open = windows.find((client) => client.url === target) ?? windows[0];
  if (open) {
    // Focus is allowed only while the click is fresh; the page is taken to the target anyway.
    await open.focus().catch(() => null);
    return open.url === target ? open : open.navigate(target);
  }
  return self.clients.openWindow(target);
}
