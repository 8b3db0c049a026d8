// What Medications and Reminders share: times and days in words and the rows of time inputs.

/** "and" between the last two: "08:00, 14:00 and 20:00". */
export function joined(items) {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/** "every day", "on weekdays", "on Mondays and Thursdays" for days 0 (Monday) … 6. */
export function daysInWords(days, weekdays) {
  const sorted = [...new Set(days ?? [])].sort();
  if (!sorted.length || sorted.length === 7) return "every day";
  if (sorted.join() === "0,1,2,3,4") return "on weekdays";
  if (sorted.join() === "5,6") return "at weekends";
  return `on ${joined(sorted.map((day) => `${weekdays.get(day)}s`))}`;
}

/** The checked days of week of ``form``, 0 (Monday) … 6. */
export const checkedDays = (form) =>
  [...form.querySelectorAll('[name="days_of_week"]:checked')].map((box) => Number(box.value));

export function checkDays(form, days) {
  const chosen = new Set(days?.length ? days : [0, 1, 2, 3, 4, 5, 6]);
  for (const box of form.querySelectorAll('[name="days_of_week"]')) box.checked = chosen.has(Number(box.value));
}

/** The time inputs of ``list`` ("Time 1", "Time 2" …), each removable but the last one left. */
export function timeRows(list, { template, add, max }) {
  function renumber() {
    const rows = [...list.children];
    rows.forEach((row, index) => {
      row.querySelector(".time-label").textContent = `Time ${index + 1}`;
      const remove = row.querySelector('[data-action="remove-time"]');
      remove.setAttribute("aria-label", `Remove time ${index + 1}`);
      remove.hidden = rows.length === 1;
    });
    add.hidden = rows.length >= max;
  }

  function append(value = "") {
    const row = template.content.firstElementChild.cloneNode(true);
    row.querySelector("input").value = value;
    list.append(row);
    renumber();
    return row.querySelector("input");
  }

  list.addEventListener("click", (event) => {
    const button = event.target.closest('[data-action="remove-time"]');
    if (!button) return;
    const row = button.closest("li");
    const next = row.nextElementSibling ?? row.previousElementSibling;
    row.remove();
    renumber();
    next?.querySelector("input").focus();
  });
  add.addEventListener("click", () => append().focus());

  return {
    /** One row per value; one empty row when there is none. */
    set(values) {
      list.replaceChildren();
      for (const value of values?.length ? values : [""]) append(value);
    },
    values: () => [...list.querySelectorAll("input")].map((input) => input.value).filter(Boolean),
    first: () => list.querySelector("input"),
    disable(disabled) {
      for (const input of list.querySelectorAll("input")) input.disabled = disabled;
    },
  };
}
