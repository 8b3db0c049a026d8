"""An Apple Health export.xml of BENCH_IMPORT_BYTES (1 GiB by default) uploaded and imported.

The export is made once by bench.health_export and cached in the temp dir. Two comparisons,
each against a baseline measured in the same run on the same file:

* The upload: the file is POSTed as multipart by the same streaming client (http.client,
  from disk, 1 MiB sends) to ``POST /api/v1/activity-imports`` of the app (a signed-in patient,
  bearer token, SQLite file database) and to bench.bare_upload, a bare Flask route that reads
  ``request.stream`` and discards it; both under gunicorn (2 sync workers, ``--timeout 120`` as
  the README's deployment notes). Budget: the app's POST takes at most 2 times the bare one.
* The import: ``run_queued_imports(app)``, the worker process's job, runs in a process of its
  own on the database the POST filled (reading the chunks, writing the days, deleting the
  chunks). Its RSS is read after the app is created (idle) and its high-water mark after the
  import (peak). The baseline is a bare ``lxml.etree.iterparse`` pass over the same file that
  only sums the steps per day, clearing the elements (lxml is a development dependency, for
  this baseline alone; the import reads with the standard library's expat). Budgets: the
  import takes at most 3 times the bare pass; the peak RSS is at most the idle RSS + 150 MB.
"""

import http.client
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from .harness import PROJECT_ROOT, bearer_token, create_user, instance, serve
from .health_export import export_xml

TIME_BUDGET = 3.0
MEMORY_BUDGET_MB = 150.0
POST_BUDGET = 2.0
STEPS = "HKQuantityTypeIdentifierStepCount"
TOP_LEVEL = {"Record", "Workout", "ActivitySummary", "ExportDate", "Me"}
SEND_BYTES = 1 << 20
#: gunicorn kills a sync worker silent for 30 s; a 1 GiB body may take longer to store. The
#: README's deployment notes give gunicorn ``--timeout 120`` for it: both servers run with it.
GUNICORN_ARGS = "--timeout 120"
CHILD = "from bench.activity_import import worker_process; worker_process()"


def bare_iterparse(path: Path) -> tuple[float, int]:
    """Sum the steps per day with lxml's iterparse; return (seconds, days)."""
    started = time.perf_counter()
    steps: dict[str, float] = defaultdict(float)
    context = etree.iterparse(str(path), events=("start", "end"), resolve_entities=False)
    _, root = next(context)
    for event, elem in context:
        if event != "end":
            continue
        tag = elem.tag
        if tag == "Record" and elem.get("type") == STEPS:
            steps[elem.get("startDate", "")[:10]] += float(elem.get("value", "0"))
        if tag in TOP_LEVEL:
            root.clear()
    return time.perf_counter() - started, len(steps)


def post_file(url: str, path: Path, headers: dict[str, str]) -> tuple[float, int, bytes]:
    """POST the file as the multipart field ``file``, read from disk: (seconds, status, body)."""
    boundary = f"bench{uuid.uuid4().hex}"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="export.xml"\r\n'
        "Content-Type: text/xml\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=1800)
    started = time.perf_counter()
    try:
        conn.putrequest("POST", parts.path)
        conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        conn.putheader("Content-Length", str(len(head) + path.stat().st_size + len(tail)))
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        conn.send(head)
        with open(path, "rb") as file:
            while data := file.read(SEND_BYTES):
                conn.send(data)
        conn.send(tail)
    except OSError:  # the server answered (and closed) early: its answer says why
        pass
    response = conn.getresponse()
    body = response.read()
    seconds = time.perf_counter() - started
    conn.close()
    return seconds, response.status, body


def worker_process() -> None:
    """In a process of its own: create the app, note the RSS, run the worker's job; print JSON."""
    from sqlalchemy import select

    from pain_diary import create_app
    from pain_diary.activity.models import ActivityImport
    from pain_diary.activity.worker import run_queued_imports
    from pain_diary.extensions import db

    app = create_app({"LOG_LEVEL": "WARNING", "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.session.execute(select(ActivityImport.id).limit(1)).all()  # connected, like a poll
        db.session.remove()
    idle, hwm_idle = _status_kb("VmRSS"), _status_kb("VmHWM")
    started = time.perf_counter()
    run_queued_imports(app)
    seconds = time.perf_counter() - started
    peak = _status_kb("VmHWM")
    with app.app_context():
        imports = [
            {"status": r.status, "days_written": r.days_written, "error": r.error}
            for r in db.session.scalars(select(ActivityImport))
        ]
    print(json.dumps({"idle_kb": idle, "hwm_idle_kb": hwm_idle, "peak_kb": peak,
                      "seconds": seconds, "imports": imports}))  # fmt: skip


def _status_kb(field: str, pid: int | str = "self") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def run_worker(env: dict[str, str]) -> tuple[dict, list[int]]:
    """Run the worker's job in a child process; its JSON, and its RSS (KiB) every 0.5 s."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD], cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    samples: list[int] = []

    def sample() -> None:
        while child.poll() is None:
            try:
                samples.append(_status_kb("VmRSS", child.pid))
            except (OSError, ValueError):
                return
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = child.communicate()
    sampler.join()
    if child.returncode:
        raise RuntimeError(f"the worker process failed ({child.returncode}): {out[-2000:]}")
    return json.loads(out.strip().splitlines()[-1]), samples


def rss_trace(samples: list[int], points: int = 12) -> str:
    """The worker's RSS at a dozen moments of its life, in MB."""
    samples = [kb for kb in samples if kb]  # 0: the process had exited
    step = max(1, len(samples) // points)
    return " ".join(f"{kb / 1024:.0f}" for kb in samples[::step] + samples[-1:])


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def run() -> dict:
    """Measure the upload and the import against their baselines; print and return the figures."""
    path = export_xml()
    size = path.stat().st_size
    load_before = os.getloadavg()
    print(f"export.xml: {size:,} bytes ({path}); load average {load_before[0]:.2f}")
    with instance() as inst:
        create_user(inst)
        env = inst.env | {"GUNICORN_CMD_ARGS": GUNICORN_ARGS}
        with serve("wsgi:app", env) as app_url, serve("bench.bare_upload:app", env) as bare_url:
            headers = {"Authorization": f"Bearer {bearer_token(app_url)}"}
            # The bare POST before and after the app's, so that a slow spell of the shared
            # machine weighs on both sides of the ratio.
            bare_before, bare_status, _ = post_file(f"{bare_url}/upload", path, {})
            app_post, app_status, answer = post_file(
                f"{app_url}/api/v1/activity-imports", path, headers
            )
            bare_after, bare_status_after, _ = post_file(f"{bare_url}/upload", path, {})
        if {bare_status, bare_status_after, app_status} != {202}:
            raise RuntimeError(f"POST answered {bare_status} (bare), {app_status}: {answer[:300]}")
        bare_post = (bare_before + bare_after) / 2
        # The bare pass just before and just after the import, as the bare POST.
        parse_before, bare_days = bare_iterparse(path)
        worker, samples = run_worker(inst.env)
        parse_after, _ = bare_iterparse(path)
    bare_seconds = (parse_before + parse_after) / 2
    load_after = os.getloadavg()
    (done,) = worker["imports"]
    if done["status"] != "done":
        raise RuntimeError(f"the import did not finish: {done}")
    import_ratio = worker["seconds"] / bare_seconds
    idle_mb, peak_mb = worker["idle_kb"] / 1024, worker["peak_kb"] / 1024
    growth_mb = peak_mb - idle_mb
    post_ratio = app_post / bare_post
    checks = {
        "time": import_ratio <= TIME_BUDGET,
        "memory": growth_mb <= MEMORY_BUDGET_MB,
        "post": post_ratio <= POST_BUDGET,
    }
    mb = size / 1e6
    print(
        f"import: worker {worker['seconds']:.1f} s ({mb / worker['seconds']:.0f} MB/s, "
        f"{done['days_written']} days) | bare iterparse {bare_seconds:.1f} s "
        f"({mb / bare_seconds:.0f} MB/s; {parse_before:.1f} s before, {parse_after:.1f} s after; "
        f"{bare_days} days) | ratio {import_ratio:.2f} "
        f"(budget ≤ {TIME_BUDGET:g}): {verdict(checks['time'])}"
    )
    print(
        f"worker memory: idle {idle_mb:.0f} MB, peak {peak_mb:.0f} MB, growth {growth_mb:.0f} MB "
        f"(budget ≤ {MEMORY_BUDGET_MB:g} MB): {verdict(checks['memory'])}"
    )
    print(f"  RSS every 0.5 s (MB): {rss_trace(samples)}")
    print(
        f"upload: app POST {app_post:.1f} s ({mb / app_post:.0f} MB/s) | bare flask POST "
        f"{bare_post:.1f} s ({mb / bare_post:.0f} MB/s; {bare_before:.1f} s before, "
        f"{bare_after:.1f} s after) | ratio {post_ratio:.2f} "
        f"(budget ≤ {POST_BUDGET:g}): {verdict(checks['post'])}"
    )
    print(f"  load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    return {
        "bytes": size,
        "bare_iterparse_s": round(bare_seconds, 2),
        "bare_iterparse_runs_s": [round(parse_before, 2), round(parse_after, 2)],
        "import_s": round(worker["seconds"], 2),
        "import_ratio": round(import_ratio, 3),
        "import_budget": TIME_BUDGET,
        "days_written": done["days_written"],
        "idle_rss_mb": round(idle_mb, 1),
        "peak_rss_mb": round(peak_mb, 1),
        "idle_high_water_mb": round(worker["hwm_idle_kb"] / 1024, 1),
        "rss_growth_mb": round(growth_mb, 1),
        "memory_budget_mb": MEMORY_BUDGET_MB,
        "bare_post_s": round(bare_post, 2),
        "bare_post_runs_s": [round(bare_before, 2), round(bare_after, 2)],
        "app_post_s": round(app_post, 2),
        "post_ratio": round(post_ratio, 3),
        "post_budget": POST_BUDGET,
        "load_average": [round(load_before[0], 2), round(load_after[0], 2)],
        "checks": checks,
        "passed": all(checks.values()),
    }
