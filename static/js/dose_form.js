// The edit page's dose (templates/dose_fields.html): taken and when, or skipped and why. Which
// scheduled dose it answered, and of which medication, is what the entry is: those stay as
// logged, as the API's one-entry-per-scheduled-dose rule expects.
import { all } from "./api.js";
import { formatDay, formatTime, localParts, zoned } from "./localtime.js";
import { named } from "./show.js";

let medication = null;

/** Show the fields of the chosen answer only; a hidden field is not required. */
function showAnswer(form) {
  const taken = form.elements.status.value !== "skipped";
  form.querySelector("#dose-taken").hidden = !taken;
  form.querySelector("#dose-skipped").hidden = taken;
  form.elements.taken_time.required = taken;
  form.elements.taken_day.required = taken;
}

export const dose = {
  /** Read the dose's medication, for its name. */
  async prepare(record) {
    try {
      medication = (await all("/medications")).find((m) => m.id === record.medication_id) ?? null;
    } catch {
      medication = null; // offline with nothing kept: the dose still shows
    }
  },

  fill(form, record) {
    if (!form.dataset.watched) {
      form.dataset.watched = "true";
      form.addEventListener("change", (event) => {
        if (event.target.name === "status") showAnswer(form);
      });
    }
    form.elements.status.value = record.status;
    // A skipped dose becoming taken starts from the time it was due.
    const { date, time } = localParts(record.taken_at ?? record.scheduled_for);
    form.elements.taken_day.value = date;
    form.elements.taken_time.value = time;
    form.elements.skip_reason.value = record.skip_reason ?? "";
    // An as-needed dose is only ever taken: there is nothing to choose.
    form.querySelector("#dose-status").hidden = !record.scheduled_for;
    showAnswer(form);
  },

  read(form) {
    const taken = form.elements.status.value !== "skipped";
    return {
      status: taken ? "taken" : "skipped",
      taken_at: taken ? zoned(form.elements.taken_day.value, form.elements.taken_time.value) : null,
      skip_reason: taken ? null : form.elements.skip_reason.value.trim() || null,
    };
  },

  /** "Pregabalin 75 mg · the 08:00 dose of Monday 2 March", or "… · as needed". */
  when(record) {
    const name = medication ? named(medication.name, record.amount ?? medication.dose_amount, medication.dose_unit) : "A medication";
    if (!record.scheduled_for) return `${name} · as needed`;
    const due = localParts(record.scheduled_for).date;
    return `${name} · the ${formatTime(record.scheduled_for)} dose of ${formatDay(due)}`;
  },
};
