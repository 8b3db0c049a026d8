"""PUT /api/v1/pain-entries/<uuid> with a bearer token, against a bare Flask + sqlite3 app.

Every request stores a new pain entry under a fresh uuid4 (a create, answered 201). The
baseline (bench.bare_ingest) does one INSERT + commit per request on its own SQLite file in
the same instance dir, with the same pragmas, also under gunicorn with 2 workers. Both serve at
once and take the load in turns.
Budget: the app serves at least half the baseline's requests per second.
"""

import json
import random
import uuid
from datetime import UTC, datetime, timedelta

import requests

from . import bare_ingest
from .harness import (
    Request,
    bearer_token,
    compare,
    create_user,
    describe,
    instance,
    load_in_turns,
    serve,
    serve_app,
)

PATH = "/api/v1/pain-entries/"
BUDGET = 0.5


def pain_entry() -> bytes:
    """A realistic pain entry recorded a few minutes ago, as a JSON body."""
    recorded_at = datetime.now(UTC) - timedelta(minutes=random.randint(1, 10))
    return json.dumps(
        {
            "recorded_at": recorded_at.isoformat(timespec="seconds"),
            "intensity": 5,
            "body_sites": [{"site": "lower_back", "side": "left", "intensity": 6}],
            "qualities": ["aching", "stiff"],
            "enjoyment_interference": 4,
            "activity_interference": 5,
            "tags": ["work"],
            "note": "after a long drive",
        }
    ).encode()


def requests_with(headers: dict[str, str]):
    """A `next_request` for the load generator: a PUT of a new uuid4 each time."""
    headers = headers | {"Content-Type": "application/json"}

    def next_request() -> Request:
        return Request("PUT", f"{PATH}{uuid.uuid4()}", pain_entry(), headers)

    return next_request


def check_created(base_url: str, headers: dict[str, str]) -> None:
    """Fail early, with the answer, unless one PUT creates an entry (201)."""
    req = requests_with(headers)()
    answer = requests.put(base_url + req.path, data=req.body, headers=req.headers, timeout=10)
    if answer.status_code != 201:
        raise RuntimeError(f"PUT {req.path} answered {answer.status_code}: {answer.text[:300]}")


def run() -> dict:
    """Measure the ingest in the app and in the bare baseline; print and return the figures."""
    with instance() as inst:
        create_user(inst)
        bare_db = inst.path / "bare_ingest.sqlite"
        bare_ingest.connect(str(bare_db)).close()  # create the table before the workers start
        bare_env = inst.env | {"BENCH_BARE_DB": str(bare_db)}
        with serve_app(inst) as app_url, serve("bench.bare_ingest:app", bare_env) as bare_url:
            headers = {"Authorization": f"Bearer {bearer_token(app_url)}"}
            check_created(app_url, headers)
            check_created(bare_url, {})
            app, bare = load_in_turns(
                [(app_url, requests_with(headers)), (bare_url, requests_with({}))]
            )
    ratio = compare("ingest", app, bare, "bare flask+sqlite3", budget=BUDGET)
    describe("app", app)
    describe("bare", bare)
    return {
        "app": app.as_dict(),
        "bare_flask_sqlite3": bare.as_dict(),
        "ratio": round(ratio, 3),
        "budget": BUDGET,
        "passed": ratio >= BUDGET,
    }
