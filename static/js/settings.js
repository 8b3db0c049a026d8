// Settings: the profile (name, date of birth, time zone) and the password, through /me.
import { api } from "./api.js";
import { today } from "./localtime.js";
import { clearProblems, nothingMissing, say, showProblem } from "./messages.js";
import { $ } from "./show.js";

const profile = $("profile");
const profileStatus = $("profile-status");
const password = $("password");
const passwordStatus = $("password-status");

let zone = document.body.dataset.timezone; // the one the server rendered the page in

const offline = (what) => `No connection: ${what} Try again when you are online.`;

function fill(me) {
  profile.elements.display_name.value = me.display_name;
  profile.elements.date_of_birth.value = me.date_of_birth ?? "";
  const zone = profile.elements.timezone;
  if ([...zone.options].some((option) => option.value === me.timezone)) zone.value = me.timezone;
}

async function load() {
  profile.elements.date_of_birth.max = today();
  try {
    fill(await api("/me"));
  } catch (error) {
    say($("settings-problem"), error.status === 0
      ? "You are offline: what you see may not be your latest settings."
      : `Your settings could not be loaded: ${error.message}`, { problem: true });
  }
}

profile.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearProblems(profile);
  const { display_name: name, date_of_birth: born, timezone } = profile.elements;
  if (!nothingMissing(profile, name.value.trim() ? [] : [["display_name", name, "Give your name."]])) return;
  const button = profile.querySelector('button[type="submit"]');
  button.disabled = true;
  say(profileStatus, "");
  try {
    const me = await api("/me", {
      method: "PATCH",
      body: { display_name: name.value.trim(), date_of_birth: born.value || null, timezone: timezone.value },
    });
    fill(me);
    say(profileStatus, me.timezone === zone
      ? "Profile saved."
      : `Profile saved. Your diary and reminders now follow ${me.timezone}.`);
    zone = me.timezone;
  } catch (error) {
    if (error.status === 0) say(profileStatus, offline("your profile is not saved yet."), { problem: true });
    else showProblem(profile, error);
  } finally {
    button.disabled = false;
  }
});

password.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearProblems(password);
  const { current_password: current, new_password: next } = password.elements;
  if (!nothingMissing(password, [
    ...(current.value ? [] : [["current_password", current, "Give your current password."]]),
    ...(next.value ? [] : [["new_password", next, "Choose a new password."]]),
  ])) return;
  const button = password.querySelector('button[type="submit"]');
  button.disabled = true;
  say(passwordStatus, "");
  try {
    // This session goes on; the API ends every other one (and api() sends us to sign in if not).
    await api("/me/password", {
      method: "POST", body: { current_password: current.value, new_password: next.value },
    });
    password.reset();
    say(passwordStatus, "Password changed. Every other phone or computer has been signed out.");
  } catch (error) {
    if (error.status === 0) say(passwordStatus, offline("your password is not changed."), { problem: true });
    else showProblem(password, error);
  } finally {
    button.disabled = false;
  }
});

load();
