"""Profile the insights requests in-process, on the insights benchmark's data.

Usage: python -m bench.hotspots [path ...]   (no paths: every request bench.insights times)

Each path is sent with Flask's test client (no gunicorn, no HTTP), after one warm-up, as the
patient or, for /api/v1/patients, the clinician. Prints the mean time of a request and the
functions it spends that time in, by cumulative and by own time.
"""

import cProfile
import io
import pstats
import sys
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from pain_diary import create_app
from pain_diary.accounts.models import ApiToken, User
from pain_diary.extensions import db
from pain_diary.localtime import local_date

from . import dataset, insights
from .harness import EMAIL, create_user, instance

REPEAT = 3
TOP = 25


def main(paths: list[str]) -> int:
    with instance() as inst:
        create_user(inst)
        create_user(inst, insights.CLINICIAN_EMAIL, role="clinician")
        now = datetime.now(UTC)
        diary, _ = dataset.populate(inst, EMAIL, insights.CLINICIAN_EMAIL, now)
        app = create_app(dataset.app_config(inst))
        with app.app_context():
            headers = {
                "patient": _bearer(EMAIL, now),
                "clinician": _bearer(insights.CLINICIAN_EMAIL, now),
            }
        figures = insights.figures(local_date(now, dataset.TZ), diary)
        for path in paths or [figure.path for figure in figures]:
            role = "clinician" if path.startswith("/api/v1/patients") else "patient"
            profile(app, path, headers[role])
    return 0


def profile(app, path: str, headers: dict) -> None:
    """Print where `REPEAT` GETs of `path` spend their time."""
    client = app.test_client()
    answer = client.get(path, headers=headers)  # warm-up: imports, fonts, caches
    if answer.status_code != 200:
        print(f"\n== GET {path}: HTTP {answer.status_code} {answer.data[:300]!r}")
        return
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(REPEAT):
        client.get(path, headers=headers)
    profiler.disable()
    mean_ms = (time.perf_counter() - started) / REPEAT * 1000
    print(f"\n== GET {path}: {mean_ms:.0f} ms a request under the profiler ({REPEAT} requests)")
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(TOP)
        print(out.getvalue().split("\n", 6)[-1])  # without the header lines


def _bearer(email: str, now: datetime) -> dict:
    user = db.session.scalar(select(User).where(User.email == email))
    _, token = ApiToken.issue(user, "profile", now + timedelta(days=1))
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
