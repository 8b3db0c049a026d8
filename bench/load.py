"""The load generator: client threads with persistent connections, timed after a warm-up.

Traffic goes to 127.0.0.1 only.
"""

import http.client
import os
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

HOST = "127.0.0.1"
DEFAULT_SECONDS = 5.0
MAX_SECONDS = 60.0
ROUNDS = 3


@dataclass(frozen=True)
class Request:
    """One HTTP request for the load generator to send."""

    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    """What a load run measured: successes after the warm-up, failures at any time."""

    succeeded: int
    failures: Counter
    seconds: float
    clients: int
    latencies: list[float] = field(repr=False)
    failure_sample: str = ""

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    @property
    def rps(self) -> float:
        return self.succeeded / self.seconds if self.seconds else 0.0

    def percentile_ms(self, p: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100)[p - 1] * 1000

    @property
    def p50_ms(self) -> float:
        return self.percentile_ms(50)

    @property
    def p95_ms(self) -> float:
        return self.percentile_ms(95)

    @classmethod
    def merged(cls, results: list["Result"]) -> "Result":
        """One result of several runs of the same load, as if they had run back to back."""
        return cls(
            succeeded=sum(result.succeeded for result in results),
            failures=sum((result.failures for result in results), Counter()),
            seconds=sum(result.seconds for result in results),
            clients=results[0].clients,
            latencies=[latency for result in results for latency in result.latencies],
            failure_sample=next((r.failure_sample for r in results if r.failure_sample), ""),
        )

    def as_dict(self) -> dict:
        return {
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "succeeded": self.succeeded,
            "failed": self.failed,
            "failures": dict(self.failures),
            "failure_sample": self.failure_sample,
            "seconds": round(self.seconds, 2),
            "clients": self.clients,
        }


def bench_seconds() -> float:
    """Return the measured duration: BENCH_SECONDS, default 5, kept between 1 and 60."""
    return min(max(float(os.environ.get("BENCH_SECONDS", DEFAULT_SECONDS)), 1.0), MAX_SECONDS)


def load(
    base_url: str,
    next_request: Callable[[], Request],
    clients: int = 8,
    seconds: float | None = None,
    warmup: float = 1.0,
) -> Result:
    """Send requests from `clients` threads for `warmup` + `seconds`; measure after the warm-up.

    `next_request` is called once per request, from several threads at once.
    """
    url = urlsplit(base_url)
    if url.hostname != HOST:
        raise ValueError(f"benchmarks only send traffic to {HOST}, not {url.hostname}")
    seconds = bench_seconds() if seconds is None else seconds
    start = time.perf_counter() + 0.05
    measure_from, stop_at = start + warmup, start + warmup + seconds
    lock = threading.Lock()
    latencies: list[float] = []
    failures: Counter = Counter()
    samples: list[str] = []
    finished_at = [measure_from]

    def client() -> None:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        mine, my_failures, last = [], Counter(), measure_from
        time.sleep(max(0.0, start - time.perf_counter()))
        while (began := time.perf_counter()) < stop_at:
            status, body = _send(conn, next_request())
            ended = time.perf_counter()
            if isinstance(status, int) and 200 <= status < 300:
                if began >= measure_from:  # successes in the warm-up are not counted
                    mine.append(ended - began)
                    last = ended
                continue
            kind = f"HTTP {status}" if isinstance(status, int) else status
            my_failures[kind] += 1
            if not samples:
                samples.append(f"{kind}: {body[:300]!r}")
        conn.close()
        with lock:
            latencies.extend(mine)
            failures.update(my_failures)
            finished_at[0] = max(finished_at[0], last)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = max(finished_at[0] - measure_from, seconds)
    sample = samples[0] if samples else ""
    return Result(len(latencies), failures, elapsed, clients, latencies, sample)


def load_in_turns(
    targets: list[tuple[str, Callable[[], Request]]], rounds: int = ROUNDS
) -> list[Result]:
    """Load each (base URL, next request) target in turn, `rounds` times; one result per target.

    Each turn lasts a `rounds`-th of the measured duration. The machine's speed drifts (other
    tenants of the host): in turns, a slow spell weighs on both sides of a ratio alike instead
    of on whichever happened to run in it.
    """
    seconds = bench_seconds() / rounds
    turns: list[list[Result]] = [[] for _ in targets]
    for _ in range(rounds):
        for results, (base_url, next_request) in zip(turns, targets, strict=True):
            results.append(load(base_url, next_request, seconds=seconds))
    return [Result.merged(results) for results in turns]


def _send(conn: http.client.HTTPConnection, req: Request) -> tuple[int | str, bytes]:
    """Send `req` and read the whole response; retry once if a reused connection went stale.

    Gunicorn's sync workers close the connection after each response; http.client then opens
    a fresh one for the next request by itself.
    """
    for attempt in (1, 2):
        reused = conn.sock is not None
        try:
            conn.request(req.method, req.path, body=req.body, headers=req.headers)
            response = conn.getresponse()
            return response.status, response.read()
        except (http.client.HTTPException, OSError) as exc:
            conn.close()
            if attempt == 2 or not reused:
                return type(exc).__name__, b""
    raise AssertionError("unreachable")


def compare(
    name: str,
    app: Result,
    baseline: Result,
    baseline_label: str = "bare flask",
    budget: float | None = None,
) -> float:
    """Print `name: app N req/s (p50 X ms) | bare flask M req/s | ratio R`; return the ratio.

    With a `budget` (the least acceptable ratio) the line ends `(budget ≥ B: ok)` or `MISSED`.
    """
    ratio = app.rps / baseline.rps if baseline.rps else float("nan")
    verdict = ""
    if budget is not None:
        verdict = f" (budget ≥ {budget:.2f}: {'ok' if ratio >= budget else 'MISSED'})"
    print(
        f"{name}: app {app.rps:.0f} req/s (p50 {app.p50_ms:.1f} ms) | "
        f"{baseline_label} {baseline.rps:.0f} req/s | ratio {ratio:.2f}{verdict}"
    )
    return ratio


def describe(label: str, result: Result) -> None:
    """Print one run's figures, and its failures if there were any."""
    print(
        f"  {label:<12} {result.rps:7.0f} req/s  p50 {result.p50_ms:6.1f} ms  "
        f"p95 {result.p95_ms:6.1f} ms  {result.succeeded} ok  {result.failed} failed"
    )
    if result.failed:
        print(f"  {'':<12} failures: {dict(result.failures)}; first: {result.failure_sample}")
