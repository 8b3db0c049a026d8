// The patient's local dates and times: a day in the diary is a day in the patient's time zone,
// wherever the phone is (the server's rules are pain_diary/localtime.py).

/** The patient's IANA time zone: a day in the diary is a day there, wherever the phone is. */
export const timezone = document.body.dataset.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone;

const partsFormat = new Intl.DateTimeFormat("en-GB", {
  timeZone: timezone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "longOffset",
});

function zoneParts(instant) {
  const parts = Object.fromEntries(partsFormat.formatToParts(instant).map((p) => [p.type, p.value]));
  const offset = parts.timeZoneName.replace("GMT", "") || "+00:00";
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${parts.hour}:${parts.minute}`,
    seconds: parts.second,
    offset,
  };
}

/** {date: "YYYY-MM-DD", time: "HH:MM", offset: "+01:00"} of an instant in the patient's zone. */
export function localParts(instant = new Date()) {
  return zoneParts(instant instanceof Date ? instant : new Date(instant));
}

/** Today's date in the patient's zone, "YYYY-MM-DD". */
export const today = () => localParts().date;

/** A date "YYYY-MM-DD" plus or minus ``days``. */
export function addDays(date, days) {
  const day = new Date(`${date}T12:00:00Z`);
  day.setUTCDate(day.getUTCDate() + days);
  return day.toISOString().slice(0, 10);
}

/** An instant as ISO 8601 with the patient's offset at that moment, to the second. */
export function isoLocal(instant = new Date()) {
  const p = localParts(instant);
  return `${p.date}T${p.time}:${p.seconds}${p.offset}`;
}

/** Now as ISO 8601 with the patient's offset, to the second. */
export const now = () => isoLocal();

/** "YYYY-MM-DDTHH:MM" of an instant on the patient's clock: what a datetime-local field holds. */
export function wallClock(instant = new Date()) {
  const p = localParts(instant);
  return `${p.date}T${p.time}`;
}

const MINUTE = 60_000;
const HALF_DAY = 720 * MINUTE;

/** The zone's offset at ``t`` (ms since the epoch), in ms: the patient's clock read as UTC, minus t. */
function offsetAt(t) {
  const p = localParts(new Date(t));
  return Date.parse(`${p.date}T${p.time}:${p.seconds}Z`) - t;
}

/**
 * The instant the patient's clock shows ``time`` ("HH:MM") on ``date``, by the server's DST rule
 * (pain_diary/localtime.py at_local_time): a time that happens twice is its first occurrence, one
 * that daylight saving time skips is the first minute after the gap (02:30 → 03:00).
 */
export function localInstant(date, time) {
  const wanted = `${date}T${time}`;
  const wall = Date.parse(`${wanted}:00Z`);
  const shown = [wall - offsetAt(wall - HALF_DAY), wall - offsetAt(wall + HALF_DAY)]
    .filter((t) => wallClock(new Date(t)) === wanted);
  if (shown.length) return new Date(Math.min(...shown));
  let t = wall - offsetAt(wall + HALF_DAY); // before the gap: walk on to its end
  for (let step = 0; step < 48 * 60 && wallClock(new Date(t)) < wanted; step += 1) t += MINUTE;
  return new Date(t);
}

/** A local date and "HH:MM" in the patient's zone as ISO 8601 with that moment's offset. */
export const zoned = (date, time) => isoLocal(localInstant(date, time));

/** A datetime-local field's "YYYY-MM-DDTHH:MM" in the patient's zone as ISO 8601, or null. */
export const fromWallClock = (value) => (value ? zoned(value.slice(0, 10), value.slice(11, 16)) : null);

const timeFormat = new Intl.DateTimeFormat(undefined, { timeZone: timezone, hour: "2-digit", minute: "2-digit" });
const dayFormat = new Intl.DateTimeFormat(undefined, { timeZone: "UTC", weekday: "long", day: "numeric", month: "long" });

/** "21:40" (or "9:40 PM", as the phone is set) for an ISO instant. */
export const formatTime = (iso) => timeFormat.format(new Date(iso));

/** "Wednesday 2 December" for a local date "YYYY-MM-DD". */
export const formatDay = (date) => dayFormat.format(new Date(`${date}T12:00:00Z`));

/** formatDay, with the year when it is not this year's: "Wednesday 2 December 2025". */
export function formatDate(date) {
  const shown = formatDay(date);
  return date.slice(0, 4) === today().slice(0, 4) ? shown : `${shown} ${date.slice(0, 4)}`;
}
