// Export: the PDF summary link follows the period chosen, without reloading the page.
import { addDays, formatDay, today } from "./localtime.js";
import { say } from "./messages.js";

const form = document.getElementById("period");
const link = document.getElementById("export-pdf");
const status = document.getElementById("period-status");

function choose() {
  const days = Number(form.querySelector('input[name="days"]:checked')?.value
    ?? form.dataset.defaultDays);
  const to = today();
  const from = addDays(to, -(days - 1));
  link.href = `/api/v1/summary.pdf?from=${from}&to=${to}`;
  link.download = `pain-diary-summary-${from}-to-${to}.pdf`;
  const url = new URL(location.href);
  url.searchParams.set("days", days);
  history.replaceState(null, "", url);
  say(status, `The PDF will cover ${formatDay(from)} to ${formatDay(to)}.`);
}

form.querySelector("[data-without-script]").hidden = true;
form.addEventListener("change", choose);
form.addEventListener("submit", (event) => {
  event.preventDefault();
  choose();
});
choose();
