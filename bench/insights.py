"""Summary, charts and PDF of two years of diary, and a clinician's list of 1,000 patients.

One client sends each request in turn (no concurrency), a few times after a warm-up, to the app
under gunicorn with 2 workers; each figure is the median (and p95) of those latencies, printed
next to an authenticated GET /me timed the same way in the same run: the least any request
costs here. Every GET /patients also writes 1,000 audit events; that is part of its cost.

Budgets (medians): a summary ≤ 150 ms, a chart ≤ 250 ms, the PDF ≤ 2 s, the patient list ≤ 500 ms.
"""

import http.client
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from pain_diary.localtime import local_date

from . import dataset
from .harness import EMAIL, bearer_token, create_user, instance, serve
from .load import HOST

CLINICIAN_EMAIL = "clinician@example.org"
ME_PATH = "/api/v1/me"
ME_REPEAT = 100
SUMMARY_BUDGET_MS = 150
CHART_BUDGET_MS = 250
PDF_BUDGET_MS = 2000
PATIENTS_BUDGET_MS = 500
CHARTS = ("pain", "sleep", "adherence", "therapy")

#: Looks at one answer (status, content type, body); returns what is wrong with it, or "".
Check = Callable[[int, str, bytes], str]


@dataclass(frozen=True)
class Figure:
    """One request to time: who sends it, how often, its budget and what a right answer is."""

    key: str
    label: str
    path: str
    role: str
    repeat: int
    budget_ms: float
    check: Check
    warmup: int = 3


@dataclass
class Timing:
    """Latencies in seconds of the answers after the warm-up; the first wrong answer ends it."""

    latencies: list[float]
    failure: str = ""

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else float("nan")

    @property
    def p95_ms(self) -> float:
        if len(self.latencies) < 2:
            return self.median_ms
        return statistics.quantiles(self.latencies, n=20, method="inclusive")[18] * 1000


def run() -> dict:
    """Fill a throwaway instance, time each request against its budget; print and return it."""
    with instance() as inst:
        create_user(inst)
        create_user(inst, CLINICIAN_EMAIL, role="clinician")
        now = datetime.now(UTC)
        started = time.perf_counter()
        diary, dashboard = dataset.populate(inst, EMAIL, CLINICIAN_EMAIL, now)
        seconds = time.perf_counter() - started
        print(f"data in {seconds:.1f} s: patient {_counts(diary)}; dashboard {_counts(dashboard)}")
        # A 2-year PDF on a loaded machine may take longer than gunicorn's default 30 s timeout.
        env = inst.env | {"GUNICORN_CMD_ARGS": "--timeout 120"}
        with serve("wsgi:app", env) as base_url:
            tokens = {
                "patient": bearer_token(base_url),
                "clinician": bearer_token(base_url, CLINICIAN_EMAIL),
            }
            headers = {role: {"Authorization": f"Bearer {token}"} for role, token in tokens.items()}
            me_before = timed(base_url, ME_PATH, headers["patient"], ME_REPEAT, 10, _status_check)
            timings = [
                (figure, timed(base_url, figure.path, headers[figure.role], figure.repeat,
                               figure.warmup, figure.check))
                for figure in figures(local_date(now, dataset.TZ), diary)
            ]  # fmt: skip
            # Timed again at the end: on a shared machine the load may have changed meanwhile.
            me_after = timed(base_url, ME_PATH, headers["patient"], ME_REPEAT, 10, _status_check)
    me = Timing(me_before.latencies + me_after.latencies, me_before.failure or me_after.failure)
    print(
        f"GET /me: median {me.median_ms:.1f} ms, p95 {me.p95_ms:.1f} ms (before the others "
        f"{me_before.median_ms:.1f} ms, after {me_after.median_ms:.1f} ms){_failed(me)}"
    )
    result = {
        "data": {"seconds": round(seconds, 1), "patient": diary, "dashboard": dashboard},
        "me": _as_dict(me),
    }
    for figure, timing in timings:
        passed = not timing.failure and timing.median_ms <= figure.budget_ms
        measured = (
            f"median {timing.median_ms:.0f} ms, p95 {timing.p95_ms:.0f} ms"
            if timing.latencies
            else "not measured"
        )
        print(
            f"{figure.label}: {measured} | GET /me {me.median_ms:.1f} ms | "
            f"budget ≤ {figure.budget_ms:g} ms: {'ok' if passed else 'MISSED'}{_failed(timing)}"
        )
        result[figure.key] = _as_dict(timing) | {"budget_ms": figure.budget_ms, "passed": passed}
    result["passed"] = not me.failure and all(result[figure.key]["passed"] for figure, _ in timings)
    return result


def figures(today, diary) -> list[Figure]:
    """The requests of the issue, most over the two years up to today (Europe/Berlin)."""
    days = dataset.DIARY_DAYS
    period = f"from={today - timedelta(days=days - 1)}&to={today}"
    listed = dataset.DASHBOARD_PATIENTS
    svg, pdf = _content_check("image/svg+xml", b"<svg"), _content_check("application/pdf", b"%PDF")
    return [
        Figure(
            "summary_730d", f"summary ({days} days)", f"/api/v1/summary?{period}", "patient", 20,
            SUMMARY_BUDGET_MS, _summary_check(days, diary["pain_entries"]),
        ),
        Figure(
            "summary_30d", "summary (default 30 days)", "/api/v1/summary", "patient", 30,
            SUMMARY_BUDGET_MS, _summary_check(30),
        ),
        *(
            Figure(
                f"chart_{name}_730d", f"chart {name} ({days} days)",
                f"/api/v1/charts/{name}.svg?{period}", "patient", 10, CHART_BUDGET_MS, svg,
            )
            for name in CHARTS
        ),
        Figure(
            "pdf_730d", f"PDF ({days} days)", f"/api/v1/summary.pdf?{period}", "patient", 5,
            PDF_BUDGET_MS, pdf, warmup=2,
        ),
        Figure(
            "patients_1000", f"GET /patients ({listed:,} linked)", "/api/v1/patients",
            "clinician", 10, PATIENTS_BUDGET_MS, _patients_check(listed),
        ),
    ]  # fmt: skip


def timed(
    base_url: str, path: str, headers: dict, repeat: int, warmup: int, check: Check
) -> Timing:
    """GET `path` `warmup` + `repeat` times in a row; time each answer after the warm-up."""
    url = urlsplit(base_url)
    if url.hostname != HOST:
        raise ValueError(f"benchmarks only send traffic to {HOST}, not {url.hostname}")
    # Gunicorn's sync workers close each connection; http.client reopens it for the next request.
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    timing = Timing([])
    try:
        for n in range(warmup + repeat):
            began = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - began
            if problem := check(response.status, response.getheader("Content-Type", ""), body):
                timing.failure = f"GET {path}: {problem}"
                break
            if n >= warmup:
                timing.latencies.append(elapsed)
    finally:
        conn.close()
    return timing


def _status_check(status: int, content_type: str, body: bytes) -> str:
    return "" if status == 200 else f"HTTP {status}: {body[:300]!r}"


def _content_check(mimetype: str, starts: bytes) -> Check:
    def check(status: int, content_type: str, body: bytes) -> str:
        if problem := _status_check(status, content_type, body):
            return problem
        if not content_type.startswith(mimetype) or starts not in body[:200]:
            return f"not {mimetype}: {content_type}, {body[:100]!r}"
        return ""

    return check


def _summary_check(days: int, pain_entries: int | None = None) -> Check:
    """The summary covers `days` days and (when given) counts every pain entry of them."""

    def check(status: int, content_type: str, body: bytes) -> str:
        if problem := _status_check(status, content_type, body):
            return problem
        summary = json.loads(body)
        counted = summary["pain"]["entries"]
        if summary["period"]["days"] != days or pain_entries not in (None, counted):
            return f"period {summary['period']}, {counted} pain entries, not {pain_entries}"
        return ""

    return check


def _patients_check(listed: int) -> Check:
    def check(status: int, content_type: str, body: bytes) -> str:
        if problem := _status_check(status, content_type, body):
            return problem
        if len(rows := json.loads(body)) != listed:
            return f"{len(rows)} patients listed, not {listed}"
        return ""

    return check


def _as_dict(timing: Timing) -> dict:
    measured = bool(timing.latencies)
    return {
        "median_ms": round(timing.median_ms, 2) if measured else None,
        "p95_ms": round(timing.p95_ms, 2) if measured else None,
        "measured": len(timing.latencies),
        "failed": int(bool(timing.failure)),
        "failure": timing.failure,
    }


def _failed(timing: Timing) -> str:
    return f" (FAILED: {timing.failure})" if timing.failure else ""


def _counts(counts: dict) -> str:
    return ", ".join(f"{rows:,} {table}" for table, rows in counts.items() if rows)
