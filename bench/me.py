"""GET /api/v1/me with a bearer token, against a bare Flask app returning the same body.

The reference for later budgets: the cost of the app's request path (auth lookup, session,
schema) over the least a Flask app under gunicorn can do. Both serve at once and take the load
in turns.
"""

import json

import requests

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

PATH = "/api/v1/me"


def run() -> dict:
    """Measure /me in the app and in the bare baseline; print and return the figures."""
    with instance() as inst:
        create_user(inst)
        with serve_app(inst) as app_url:
            headers = {"Authorization": f"Bearer {bearer_token(app_url)}"}
            captured = requests.get(app_url + PATH, headers=headers, timeout=10)
            captured.raise_for_status()
            bare_env = inst.env | {"BENCH_ME_BODY": json.dumps(captured.json())}
            with serve("bench.bare_me:app", bare_env) as bare_url:
                app, bare = load_in_turns(
                    [
                        (app_url, lambda: Request("GET", PATH, headers=headers)),
                        (bare_url, lambda: Request("GET", PATH)),
                    ]
                )
    ratio = compare("me", app, bare)
    describe("app", app)
    describe("bare flask", bare)
    return {"app": app.as_dict(), "bare_flask": bare.as_dict(), "ratio": round(ratio, 3)}
