// A procedure's response so far in words, from the summary's procedures section (DESIGN §4
// "Procedures"): the pain of the latest window against the 2 weeks before, and the goal that
// decides the next step.

/** Each window, as the start of a sentence about the pain in it. */
const AFTER = {
  same_day: "In the 6 hours after",
  trial: "During the trial",
  week_1: "The first week after",
  weeks_2_3: "2–3 weeks after",
  month_3: "3 months after",
  month_6: "6 months after",
};
/** Each window, as when a goal is to be met. */
const GOAL_AT = {
  same_day: "within 6 hours",
  trial: "during the trial",
  week_1: "in the first week",
  weeks_2_3: "at 2–3 weeks",
  month_3: "at 3 months",
  month_6: "at 6 months",
};
const BEFORE = "the 2 weeks before";

/**
 * The window with a mean that reaches the latest day: a window not yet over counts with what it
 * has so far, and a long trial outlasts the weeks after it (of two that end on one day, the
 * first listed: a trial before the week after it).
 */
function latest(windows) {
  const measured = windows.filter((window) => window.mean !== null);
  return measured.reduce((last, window) => ((window.to ?? "") > (last.to ?? "") ? window : last), measured[0]);
}

/** "2–3 weeks after: pain 38 % lower than the 2 weeks before". */
function relief(response) {
  if (response.baseline_mean === null) return "No baseline: log pain in the 2 weeks before to compare";
  const window = latest(response.windows);
  if (!window) return "Too few entries to compare yet";
  const after = AFTER[window.window] ?? window.window;
  const percent = window.relief_percent;
  if (percent === null) return `${after}: pain ${window.mean} on average, ${response.baseline_mean} in ${BEFORE}`;
  const change = Math.round(Math.abs(percent));
  if (change === 0) return `${after}: pain the same as ${BEFORE}`;
  return `${after}: pain ${change} % ${percent > 0 ? "lower" : "higher"} than ${BEFORE}`;
}

/** "Goal: ≥ 50 % relief at 3 months", and whether it was met once its window has a figure. */
function goal(response) {
  const { window, relief_percent: percent } = response.goal;
  const met = { true: " (met)", false: " (not met)" }[response.goal_met] ?? "";
  return `Goal: ≥ ${percent} % relief ${GOAL_AT[window] ?? window}${met}`;
}

/** The lines that say how ``response`` (an item of the summary's procedures) is going so far. */
export function responseInWords(response) {
  return response.goal ? [relief(response), goal(response)] : [relief(response)];
}
