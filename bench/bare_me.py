"""A bare Flask app answering GET /api/v1/me with a fixed body: the baseline for `bench.me`.

The body comes from BENCH_ME_BODY (JSON), captured from the real app in the same run.
"""

import json
import os

from flask import Flask

app = Flask(__name__)
app.json.sort_keys = False
ME = json.loads(os.environ.get("BENCH_ME_BODY", "{}"))


@app.get("/api/v1/me")
def me():
    """Return the captured /me body."""
    return ME


@app.get("/healthz")
def healthz():
    """The process is alive."""
    return {"status": "ok"}
