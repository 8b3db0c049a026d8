"""Run the real app under gunicorn in its own process group, against the test database."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A gunicorn process serving ``wsgi:app``; ``kill()`` is a crash (SIGKILL to every worker)."""

    def __init__(self, config, workers=2, threads=5, env=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
            "INSTANCE_PATH": config["INSTANCE_PATH"],
            "SECRET_KEY": config["SECRET_KEY"],
            "RATELIMIT_ENABLED": "0",
            "LOG_LEVEL": "WARNING",
            # The hashing cost of the test config (cheap), so that the server verifies and
            # makes hashes as the tests' own app does.
            **{name: str(value) for name, value in config.items() if name.startswith("ARGON2_")},
            **(env or {}),
        }
        self.command = [
            str(GUNICORN), "--workers", str(workers), "--threads", str(threads),
            "--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "5", "wsgi:app",
        ]  # fmt: skip
        self.process = None
        self.log = None

    def start(self, timeout=30):
        # A file, not a pipe: an unread pipe that fills up would stall the server.
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=self.log,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"gunicorn exited: {self.log.read().decode()}")
            try:
                if requests.get(f"{self.url}/readyz", timeout=5).status_code == 200:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()  # leave no server behind
        raise RuntimeError("gunicorn did not become ready")

    def kill(self):
        """Crash the whole server at once, like a power cut to the process."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.log:
            self.log.close()


@contextmanager
def running_server(config, **options):
    server = Server(config, **options).start()
    try:
        yield server
    finally:
        server.stop()
