// The import of a phone's or watch's export (DESIGN §3 Activity imports). The file goes up with
// XMLHttpRequest, whose upload progress fetch does not report; then the worker process reads it,
// and GET /activity-imports/<id>, asked every second, says how far. One progress bar shows the
// share of the file's bytes sent ("Uploading…"), then the share read ("Reading the file…"); the
// result is said in words. An upload needs the network: offline, the page says so instead.
import { api, ApiProblem } from "./api.js";
import { clearProblems, nothingMissing, say } from "./messages.js";
import { $ } from "./show.js";
import { words } from "./words.js";

const form = $("import");
const field = $("import-file");
const button = $("import-start");
const status = $("import-status");
const bar = document.querySelector('#import-progress [role="progressbar"]');
const POLL_MS = 1000;
const OFFLINE = "You are offline: an import needs a connection. Choose Import again when you are back online.";
const sources = new Map(words().activity_sources ?? []);
/** The source of the days each format writes. */
const FORMAT_SOURCES = { apple_health_zip: "apple_health", apple_health_xml: "apple_health", google_fit_csv: "google_fit", csv: "csv" };
const imported = new Set();

/** Call ``listener()`` after each import that wrote days. */
export const whenImported = (listener) => imported.add(listener);

/** Show the bar at ``share`` (0 to 1) of the work named ``text``. */
function progress(text, share) {
  const value = Math.min(100, Math.max(0, Math.floor(share * 100)));
  $("import-progress").hidden = false;
  $("import-progress-label").textContent = text;
  bar.setAttribute("aria-valuenow", String(value));
  bar.firstElementChild.style.width = `${value}%`;
}

const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

/** POST the file as the multipart field "file"; resolves to the request once answered. */
function post(file) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", "/api/v1/activity-imports");
    request.responseType = "json";
    // The headers of api.js's writes: the session's CSRF token, and whose page this is.
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("X-CSRFToken", csrfToken());
    if (document.body.dataset.user) request.setRequestHeader("X-User-Id", document.body.dataset.user);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) progress("Uploading…", event.loaded / event.total);
    };
    request.onload = () => resolve(request);
    request.onerror = () => reject(new ApiProblem({ status: 0, code: "offline", message: OFFLINE }));
    const body = new FormData();
    body.append("file", file);
    request.send(body);
  });
}

/** Upload ``file``: the import as the API accepted it (202), or an ApiProblem. */
async function upload(file) {
  let request = await post(file);
  if (request.status === 403 && request.response?.error?.code === "csrf_failed") {
    // A page opened from the phone's copy carries the token of the day it was kept.
    const { csrf_token: token } = await api("/me");
    document.querySelector('meta[name="csrf-token"]')?.setAttribute("content", token);
    request = await post(file);
  }
  if (request.status === 202) return request.response;
  throw new ApiProblem(request.response?.error ?? { status: request.status, code: "error", message: request.statusText });
}

const pause = () => new Promise((resolve) => setTimeout(resolve, POLL_MS));

/** Ask how the import goes every second, moving the bar, until it is done or failed. */
async function follow(id) {
  for (;;) {
    await pause();
    let record;
    try {
      record = await api(`/activity-imports/${id}`);
    } catch (error) {
      if (error.status !== 0) throw error;
      say(status, "No connection: the import goes on, and how far it is shows when you are back online.", { problem: true });
      continue;
    }
    say(status, "");
    if (record.status === "done" || record.status === "failed") return record;
    progress("Reading the file…", record.bytes ? record.bytes_read / record.bytes : 0);
  }
}

/** "Imported 212 days from Apple Health (iPhone, Apple Watch)." */
function inWords(record) {
  const code = FORMAT_SOURCES[record.format];
  const source = sources.get(code) ?? "your file";
  const from = code === "csv" ? `the ${source}` : source;
  const devices = record.devices?.length ? ` (${record.devices.join(", ")})` : "";
  const days = record.days_written ?? 0;
  return `Imported ${days} ${days === 1 ? "day" : "days"} from ${from}${devices}.`;
}

async function start(event) {
  event.preventDefault();
  clearProblems(form);
  say(status, "");
  const [file] = field.files;
  if (!nothingMissing(form, file ? [] : [["file", field, "Choose the export file first."]])) return;
  if (!navigator.onLine) {
    say(status, OFFLINE, { problem: true });
    return;
  }
  button.disabled = true;
  try {
    progress("Uploading…", 0);
    const accepted = await upload(file);
    progress("Reading the file…", 0);
    const record = await follow(accepted.id);
    if (record.status === "failed") {
      $("import-progress").hidden = true;
      say(status, `Not imported: ${record.error}`, { problem: true });
      return;
    }
    progress("Imported", 1);
    say(status, inWords(record));
    form.reset();
    for (const listener of imported) listener();
  } catch (error) {
    $("import-progress").hidden = true;
    say(status, error.status === 0 ? OFFLINE : `Not imported: ${error.message}`, { problem: true });
  } finally {
    button.disabled = false;
  }
}

form.addEventListener("submit", start);
