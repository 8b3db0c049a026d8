// Edit one entry of History in the form it was logged with; a change made elsewhere meanwhile is
// not overwritten: the PUT carries the version read, and a 409 shows what is stored now.
import { api } from "./api.js";
import { dose } from "./dose_form.js";
import { onSubmit, pain, procedure, sleep, therapy } from "./entries.js";
import { formatDay, formatTime, localParts } from "./localtime.js";
import { reveal, say, showProblem } from "./messages.js";
import { kept, remove, save, watch } from "./outbox.js";
import { $ } from "./show.js";

const form = $("edit");
const status = $("edit-status");
const { collection, id } = form.dataset;
const path = `/${collection}/${id}`;
const kinds = {
  "pain-entries": { form: pain, at: "recorded_at", read: (record) => pain.read(form, record) },
  "sleep-entries": { form: sleep, at: "out_of_bed_at", read: (record) => sleep.read(form, record.night_of) },
  "therapy-sessions": {
    form: therapy, at: "started_at", read: (record) => therapy.read(form, localParts(record.started_at).date),
  },
  "medication-doses": { form: dose, read: () => dose.read(form), when: dose.when, prepare: dose.prepare },
  procedures: { form: procedure, at: "performed_at", read: (record) => procedure.read(form, record) },
};
const kind = kinds[collection];
let record = null;
let waiting = false; // a change of this entry is kept on the phone, not yet sent

function show(current) {
  record = current;
  kind.form.fill(form, record);
  const at = record[kind.at];
  $("edit-when").textContent = kind.when ? kind.when(record) : collection === "sleep-entries"
    ? `The night of ${formatDay(record.night_of)}`
    : `${formatDay(localParts(at).date)}, ${formatTime(at)}`;
}

/** The entry as this phone last wrote it, while that write waits to sync; else null. */
async function waitingCopy() {
  const write = (await kept()).find((item) => item.key === `${collection}/${id}` && item.op === "put" && !item.refused);
  return write ? { ...write.body, id } : null;
}

async function load() {
  try {
    const copy = await waitingCopy();
    const current = copy ?? (await api(path));
    await kind.prepare?.(current);
    show(current);
    if (copy) {
      waiting = true; // the watch below says when it is saved
      say(status, "Waiting to sync: this is the entry as changed on this phone.");
    }
    form.hidden = false;
    $("delete").hidden = false;
  } catch (problem) {
    say(status, problem.status === 404 || problem.status === 410
      ? "This entry is not in your diary (it may have been deleted)."
      : problem.status === 0 ? "You are offline: the entry will show when you are back online."
        : `The entry could not be loaded: ${problem.message}`, { problem: true });
  } finally {
    $("edit-loading").hidden = true;
  }
}

onSubmit(form, async () => {
  try {
    // The record as read, with the form's fields over it: what the form does not show is kept.
    const body = { ...record, ...kind.read(record), version: record.version };
    const { record: saved, kept } = await save(collection, id, body, `change to the entry of ${$("edit-when").textContent}`);
    if (saved) show(saved);
    waiting = Boolean(kept);
    say(status, kept ? "Changes kept on this phone: they sync when you are back online." : "Changes saved.");
    reveal(status); // the message is at the top, the Save button at the bottom
  } catch (problem) {
    if (problem.status === 409 && problem.current) {
      show(problem.current);
      say(status, "This entry was changed on another device. The form now shows that version: make your change again.", { problem: true });
      reveal(status);
    } else {
      say(status, "");
      showProblem(form, problem);
    }
  }
});

// A change kept on this phone: say what became of it once the outbox has sent it.
watch(({ waiting: queued, refused }) => {
  if (!waiting) return;
  const key = `${collection}/${id}`;
  const no = refused.find((item) => item.key === key);
  if (no) say(status, `Your change was not saved: ${no.refused.message}`, { problem: true });
  else if (!queued.some((item) => item.key === key)) say(status, "Changes saved.");
  else return;
  waiting = false;
});

$("delete-ask").addEventListener("click", () => {
  $("delete-ask").hidden = true;
  $("delete-confirm").hidden = false;
  $("delete-no").focus();
});
$("delete-no").addEventListener("click", () => {
  $("delete-confirm").hidden = true;
  $("delete-ask").hidden = false;
  $("delete-ask").focus();
});
$("delete-yes").addEventListener("click", async () => {
  $("delete-yes").disabled = true;
  try {
    await remove(collection, id, `deletion of the entry of ${$("edit-when").textContent}`);
    location.assign("/history");
  } catch (problem) {
    $("delete-yes").disabled = false;
    say(status, `The entry was not deleted: ${problem.message}`, { problem: true });
  }
});

load();
