// On every page: the service worker (the app installs and opens offline), signing out and, for a
// patient, the outbox's replay and what it shows: "n waiting to sync", and any write the server
// refused.
import { element } from "./show.js";

const { role, user } = document.body.dataset;

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(async () => {
    // Keep every patient page on this phone from the first visit, not only those opened.
    if (role === "patient") (await navigator.serviceWorker.ready).active?.postMessage({ type: "signed-in", user });
  }).catch(() => {}); // no worker (a private window, an old browser): the app works online
}

// Signing out deletes this browser's push subscription, here and on the server (the form sends
// its endpoint), so that whoever signs in next on this phone gets none of these reminders.
const signOut = document.querySelector("form.sign-out");
let signingOut = false;
signOut?.addEventListener("submit", (event) => {
  event.preventDefault();
  if (signingOut) return;
  signingOut = true;
  const enough = new Promise((resolve) => { setTimeout(resolve, 3000); }); // never keep anyone in
  Promise.race([withoutPush(signOut).catch(() => {}), enough]).then(() => signOut.submit());
});

/** Put this browser's push endpoint in the sign-out ``form`` and unsubscribe it here. */
async function withoutPush(form) {
  const registration = await navigator.serviceWorker?.getRegistration();
  const subscription = await registration?.pushManager?.getSubscription();
  if (!subscription) return;
  form.elements.push_endpoint.value = subscription.endpoint;
  await subscription.unsubscribe();
}

// Reminders read on this phone without a connection (reads.js): the server is told, the Inbox
// count follows. The Inbox page does this itself.
if (role === "patient" && location.pathname !== "/notifications" && localStorage.getItem(`pain-diary-read:${user}`)) {
  import("./reads.js").then((reads) => reads.catchUp()).catch(() => {});
}

if (role === "patient" && "indexedDB" in self) {
  const outbox = await import("./outbox.js");
  const status = document.getElementById("sync-status");
  const refusedList = document.getElementById("sync-refused");

  const refusedItem = (item) => {
    const dismiss = element("button", { type: "button", class: "secondary", "aria-label": `Dismiss: ${item.what}` }, "Dismiss");
    dismiss.addEventListener("click", () => outbox.dismiss(item.key));
    return element("li", { class: "problem" },
      element("p", {}, `Not saved: ${item.what}. ${item.refused.message}`), dismiss);
  };

  outbox.watch(({ waiting, refused, synced }) => {
    if (waiting.length) status.textContent = `${waiting.length} waiting to sync`;
    else if (synced) status.textContent = synced === 1 ? "Synced: 1 entry sent." : `Synced: ${synced} entries sent.`;
    else if (status.classList.contains("waiting")) status.textContent = ""; // sent from elsewhere
    status.classList.toggle("waiting", waiting.length > 0);
    refusedList.replaceChildren(...refused.map(refusedItem));
    if (synced) dispatchEvent(new CustomEvent("outbox:synced", { detail: { synced } }));
  });
  outbox.start();
}
