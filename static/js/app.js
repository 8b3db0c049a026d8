// On every page: the service worker (the app installs and opens offline) and, for a patient,
// the outbox's replay and what it shows: "n waiting to sync", and any write the server refused.
import { element } from "./show.js";

const { role, user } = document.body.dataset;

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(async () => {
    // Keep every patient page on this phone from the first visit, not only those opened.
    if (role === "patient") (await navigator.serviceWorker.ready).active?.postMessage({ type: "signed-in", user });
  }).catch(() => {}); // no worker (a private window, an old browser): the app works online
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
