"""A bare Flask upload route: the baseline for the POST of `bench.activity_import`.

POST /upload reads the request body from ``request.stream`` 64 KiB at a time and discards it,
then answers 202 with the byte count: no authentication, no multipart parsing, no database.
It is the least a Flask app under gunicorn can do to take in a large body.
"""

from flask import Flask, request

READ_BYTES = 64 << 10

app = Flask(__name__)


@app.post("/upload")
def upload():
    """Read the whole body and throw it away."""
    size = 0
    while data := request.stream.read(READ_BYTES):
        size += len(data)
    return {"bytes": size}, 202


@app.get("/healthz")
def healthz():
    """The process is alive."""
    return {"status": "ok"}
