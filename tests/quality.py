"""Cross-page quality checks for the browser tests: axe-core, touch targets, a seeded month.

The checks return readable lists (empty when all is well) so that a failing test names what
failed and where; the data helpers arrange a realistic diary through the API, as a phone would.
"""

import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

AXE = "/static/vendor/axe-core/axe.min.js"
MENU = "details.menu"
TAP = 44  # CSS px: WCAG 2.5.5 (AAA) target size, the app's --tap at the default text size

# One axe run; `context` narrows it to part of the page (a selector list), or null for all.
_AXE_RUN = """async ({context, impacts}) => {
  const results = await axe.run(context ? {include: context} : document,
                                {resultTypes: ["violations"]});
  return results.violations.filter((v) => impacts.includes(v.impact)).map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((node) => node.target.join(" ")),
  }));
}"""

# Visible interactive elements smaller than `tap` px, described as "selector 'text' W×H".
_SMALL_TARGETS = """(tap) => {
  const describe = (el) => {
    const classes = [...el.classList].map((name) => "." + name).join("");
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim();
    return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + classes
      + (el.name ? `[name=${el.name}]` : "") + (text ? ` '${text.slice(0, 30)}'` : "");
  };
  const shown = (el) => {
    const style = getComputedStyle(el);
    return el.getClientRects().length > 0 && style.visibility !== "hidden";
  };
  // WCAG 2.5.8 inline exception: a link in a sentence is sized by the line of text around it.
  const inRunningText = (el) => {
    if (el.tagName !== "A" || getComputedStyle(el).display !== "inline") return false;
    const block = el.parentElement.closest("p, li, dd, td");
    return block !== null && block.textContent.trim() !== el.textContent.trim();
  };
  // A checkbox or radio is activated through its label too: the label is the target.
  const targetOf = (el) => {
    if (el.matches("input[type=checkbox], input[type=radio]") && el.labels.length) {
      return [...el.labels].reduce((big, label) => {
        const a = big.getBoundingClientRect(), b = label.getBoundingClientRect();
        return b.width * b.height > a.width * a.height ? label : big;
      }, el);
    }
    return el;
  };
  const found = [];
  const measure = (el, note = "") => {
    const box = targetOf(el).getBoundingClientRect();
    if (box.right <= 0 || box.bottom <= 0) return;  // off-screen until focused (skip link)
    if (box.width < tap - 0.01 || box.height < tap - 0.01) {
      found.push(`${describe(el)}${note} ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  };
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary, "
    + "[role=button]";
  for (const el of document.querySelectorAll(selector)) {
    if (shown(el) && !inRunningText(el)) measure(el);
  }
  // The skip link shows only when focused: measure it then.
  for (const skip of document.querySelectorAll("a.skip")) {
    skip.focus();
    measure(skip, " (focused)");
    skip.blur();
  }
  return found;
}"""


# The outermost elements that reach past the viewport's right edge: what makes it scroll.
_OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.body.querySelectorAll("*")].filter((el) =>
    el.getBoundingClientRect().right > width + 0.5 && getComputedStyle(el).position !== "fixed");
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + [...el.classList].map((word) => "." + word).join("");
  const path = (el) => [el.parentElement.parentElement, el.parentElement, el]
    .filter((node) => node && node !== document.body).map(name).join(" > ");
  return wide.filter((el) => !wide.includes(el.parentElement))
    .sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right)
    .slice(0, 4).map((el) => {
      const box = el.getBoundingClientRect();
      return `${path(el)} right edge at ${Math.round(box.right)} px`
        + ` (width ${Math.round(box.width)})`;
    });
}"""


def overflowing(page):
    """What reaches past the right edge, as "tag#id.class right edge at N px" lines."""
    return page.evaluate(_OVERFLOWING)


def load_axe(page):
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE)  # same origin: the CSP blocks inline script content


def axe_violations(page, impacts=("serious", "critical"), context=None):
    """axe-core's violations of ``impacts`` as "rule (impact): help -> selectors" lines."""
    load_axe(page)
    found = page.evaluate(_AXE_RUN, {"context": context, "impacts": list(impacts)})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {', '.join(v['targets'][:8])}"
        + (f" (+{len(v['targets']) - 8} more)" if len(v["targets"]) > 8 else "")
        for v in found
    ]


def small_targets(page, tap=TAP):
    """Visible interactive elements under ``tap``×``tap`` CSS px (see _SMALL_TARGETS)."""
    return page.evaluate(_SMALL_TARGETS, tap)


def open_details(page, menu=False):
    """Open every ``<details>`` (long content shows); the header's menu only if ``menu``."""
    page.evaluate(
        "(menu) => document.querySelectorAll('details').forEach((d) => {"
        " if (menu || !d.matches('" + MENU + "')) d.open = true; })",
        menu,
    )


def settle(page):
    """Wait until the page's fetches, images (the SVG charts) and fonts are done."""
    page.wait_for_load_state("networkidle")
    # A function, not an expression: an expression is evaluated with eval, which the CSP forbids.
    page.wait_for_function(
        "() => [...document.images].every((image) => image.complete)"
        " && document.fonts.status === 'loaded'"
    )


# -- Arranging data through the API -----------------------------------------------------------

SITES = (("lower_back", "center"), ("hip", "left"), ("neck", None), ("knee", "right"))
QUALITIES = (("aching", "stiff"), ("burning",), ("stabbing", "radiating"), ("dull",))
NOTES = (
    None,
    "Bad night, stiff in the morning; walked the dog for 20 minutes and it eased off.",
    "Physiotherapy appointment tomorrow — Rückenschmerzensprechstundentermin at 14:00.",
    None,
    "Carried shopping up to the 4th floor. Sharp pain shooting down the left leg afterwards.",
)


def _put(collection, record_id, body):
    return {"op": "put", "collection": collection, "id": str(record_id), "body": body}


def _at(day, hour, minute, zone):
    return datetime.combine(day, time(hour, minute), zone)


def _iso(moment):
    return moment.isoformat(timespec="seconds")


def _month_operations(now, zone, days):
    """The operations of a month's diary ending ``now``, in an order the server accepts."""
    today = now.date()
    first = today - timedelta(days=days - 1)
    ids = {"pain-entries": [], "sleep-entries": [], "therapy-sessions": [], "medication-doses": []}
    regular, as_needed = uuid.uuid4(), uuid.uuid4()
    operations = [
        _put("medications", regular, {
            "name": "Pregabalin 75 mg", "ingredient": "pregabalin", "dose_amount": 75,
            "dose_unit": "mg", "route": "oral", "schedule": {"times": ["08:00", "20:00"]},
            "start_date": first.isoformat(), "note": "With food.",
        }),
        _put("medications", as_needed, {
            "name": "Oxycodone 5 mg", "ingredient": "oxycodone", "dose_amount": 5,
            "dose_unit": "mg", "route": "oral", "as_needed": True,
            "start_date": first.isoformat(),
        }),
    ]  # fmt: skip
    for number in range(days):
        day = first + timedelta(days=number)
        for hour, minute in ((8, 30), (19, 45)):
            recorded = _at(day, hour, minute, zone)
            if recorded > now or number % 9 == 4:  # a few days without an entry
                continue
            site, side = SITES[number % len(SITES)]
            record_id = uuid.uuid4()
            ids["pain-entries"].append(str(record_id))
            operations.append(_put("pain-entries", record_id, {
                "recorded_at": _iso(recorded), "intensity": 3 + (number * 7 + hour) % 6,
                "body_sites": [{"site": site, "side": side}]
                + ([{"site": "lower_back"}] if number % 2 and site != "lower_back" else []),
                "qualities": list(QUALITIES[number % len(QUALITIES)]),
                "enjoyment_interference": (number * 3) % 9, "activity_interference": 2 + number % 7,
                "note": NOTES[number % len(NOTES)] if hour == 19 else None,
            }))  # fmt: skip
        out_of_bed = _at(day, 7, 0, zone)
        if number and out_of_bed <= now:
            record_id = uuid.uuid4()
            ids["sleep-entries"].append(str(record_id))
            night = day - timedelta(days=1)
            operations.append(_put("sleep-entries", record_id, {
                "night_of": night.isoformat(),
                "in_bed_at": _iso(_at(night, 22, 45 + number % 3 * 5, zone)),
                "tried_to_sleep_at": _iso(_at(night, 23, 10, zone)),
                "final_awakening_at": _iso(_at(day, 6, 20 + number % 4 * 5, zone)),
                "out_of_bed_at": _iso(out_of_bed), "sleep_latency_minutes": 15 + number % 5 * 10,
                "wake_after_sleep_onset_minutes": 20 + number % 6 * 10,
                "awakenings": 1 + number % 4, "quality": 1 + number % 5,
            }))  # fmt: skip
        for hour in (8, 20):
            scheduled = _at(day, hour, 0, zone)
            taken = scheduled + timedelta(minutes=10 + number % 20)
            if taken > now:
                continue  # today's later doses stay pending on the checklist
            skipped = number % 6 == 2 and hour == 20
            record_id = uuid.uuid4()
            ids["medication-doses"].append(str(record_id))
            operations.append(_put("medication-doses", record_id, {
                "medication_id": str(regular), "status": "skipped" if skipped else "taken",
                "scheduled_for": _iso(scheduled), "taken_at": None if skipped else _iso(taken),
                "skip_reason": "Felt dizzy in the evening" if skipped else None,
            }))  # fmt: skip
        if number % 5 == 3 and _at(day, 15, 0, zone) <= now:
            operations.append(_put("medication-doses", uuid.uuid4(), {
                "medication_id": str(as_needed), "status": "taken",
                "taken_at": _iso(_at(day, 14, 30, zone)),
            }))  # fmt: skip
        if number % 7 == 1 and _at(day, 18, 0, zone) <= now:
            record_id = uuid.uuid4()
            ids["therapy-sessions"].append(str(record_id))
            modality = ("physiotherapy", "vr", "mindfulness", "tens")[number // 7 % 4]
            operations.append(_put("therapy-sessions", record_id, {
                "modality": modality, "started_at": _iso(_at(day, 17, 0, zone)),
                "duration_minutes": 45, "pain_before": 6, "pain_after": 4,
                "program": "Back school, week 3" if modality == "physiotherapy" else None,
            }))  # fmt: skip
    ids["medications"] = [str(regular), str(as_needed)]
    return operations, ids


def seed_month(account, days=30, now=None):
    """A month of diary for ``account`` through ``POST /api/v1/sync``; returns the ids made.

    Pain most days (sites, qualities, PEG items, some notes), every night's sleep, a scheduled
    medication taken or now and then skipped, an as-needed one, a therapy session a week; all
    in the account's zone and never after ``now``.
    """
    zone = ZoneInfo(account.user["timezone"])
    now = (now or datetime.now(zone)).astimezone(zone) - timedelta(minutes=1)
    operations, ids = _month_operations(now, zone, days)
    for start in range(0, len(operations), 200):
        batch = operations[start : start + 200]
        results = account.call("POST", "/sync", json={"operations": batch})["results"]
        refused = [result for result in results if result["status"] not in (200, 201)]
        assert not refused, refused[:3]
    return ids


def link(patient, clinician):
    """The patient invites, the clinician redeems the code; returns the care link."""
    code = patient.call("POST", "/care-team/invitations")["code"]
    return clinician.call("POST", "/care-team/links", json={"code": code})
