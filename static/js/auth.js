// Sign up and sign in through the API, then go on to the patient's or clinician's home.
import { api } from "./api.js";
import { showProblem } from "./messages.js";

const signup = document.getElementById("signup");
const login = document.getElementById("login");

function fields(form) {
  return Object.fromEntries([...new FormData(form)].filter(([, value]) => value !== ""));
}

/**
 * ``target`` if it is a path on this site, else null: the server's rule (safe_next in
 * pain_diary/web/routes.py), applied here too. A backslash is read as "/" and a tab or newline is
 * stripped by the browser ("/\t/elsewhere" goes to //elsewhere), so neither, nor any other
 * control character, is let through.
 */
export function sitePath(target) {
  const path = typeof target === "string" && target.startsWith("/") && !target.startsWith("//");
  return path && !/[\\\p{Cc}]/u.test(target) ? target : null;
}

function home(user, next) {
  location.assign(sitePath(next) ?? (user.role === "clinician" ? "/clinic" : "/today"));
}

async function signIn(email, password, next) {
  const { user } = await api("/auth/login", { method: "POST", body: { email, password } });
  home(user, next);
}

if (signup) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const select = signup.elements.timezone;
  if ([...select.options].some((option) => option.value === zone)) select.value = zone;

  signup.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = fields(signup);
    if (body.clinician_code) body.role = "clinician";
    const button = signup.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      await api("/auth/register", { method: "POST", body });
      await signIn(body.email, body.password);
    } catch (problem) {
      showProblem(signup, problem);
      button.disabled = false;
    }
  });
}

if (login) {
  login.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = fields(login);
    const button = login.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      await signIn(body.email ?? "", body.password ?? "", login.dataset.next);
    } catch (problem) {
      showProblem(login, problem);
      button.disabled = false;
    }
  });
}
