"""Shared benchmark tools: a throwaway instance, gunicorn servers, and the load generator.

Every server binds 127.0.0.1 and every request goes there; nothing leaves the machine.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from .load import HOST, Request, Result, bench_seconds, compare, describe, load_in_turns

__all__ = [
    "Instance",
    "Request",
    "Result",
    "bearer_token",
    "bench_seconds",
    "compare",
    "create_user",
    "describe",
    "flask",
    "instance",
    "load_in_turns",
    "serve",
    "serve_app",
]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EMAIL = "bench@example.org"
PASSWORD = "bench pass phrase"


@dataclass(frozen=True)
class Instance:
    """A throwaway instance folder with a migrated SQLite database, and the env that uses it."""

    path: Path
    env: dict[str, str]


@contextmanager
def instance() -> Iterator[Instance]:
    """Create a temporary instance dir and database, migrate it, and remove it afterwards."""
    with tempfile.TemporaryDirectory(prefix="pain-diary-bench-") as tmp:
        env = os.environ | {
            "FLASK_APP": "pain_diary",
            "INSTANCE_PATH": tmp,
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite",
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": "0",
        }
        inst = Instance(Path(tmp), env)
        flask(inst, "db", "upgrade")
        yield inst


def flask(inst: Instance, *args: str) -> str:
    """Run a `flask` command against the instance and return its output."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", *args],
        cwd=PROJECT_ROOT,
        env=inst.env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def create_user(
    inst: Instance,
    email: str = EMAIL,
    password: str = PASSWORD,
    role: str = "patient",
    timezone: str = "Europe/Berlin",
) -> None:
    """Create a user with `flask users create`."""
    flask(
        inst,
        "users",
        "create",
        "--email",
        email,
        "--password",
        password,
        "--role",
        role,
        "--timezone",
        timezone,
    )


def bearer_token(base_url: str, email: str = EMAIL, password: str = PASSWORD) -> str:
    """Sign in over HTTP and create an API token named "bench"."""
    with requests.Session() as http:
        login = http.post(
            f"{base_url}/api/v1/auth/login", json={"email": email, "password": password}
        )
        login.raise_for_status()
        created = http.post(
            f"{base_url}/api/v1/auth/tokens",
            json={"name": "bench"},
            headers={"X-CSRFToken": login.json()["csrf_token"]},
        )
        created.raise_for_status()
        return created.json()["token"]


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def serve(module: str, env: dict[str, str], workers: int = 2) -> Iterator[str]:
    """Serve the WSGI app `module` (e.g. "wsgi:app") with gunicorn sync workers; yield its URL."""
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    with tempfile.TemporaryFile("w+") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"{HOST}:{port}", module],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so the workers can be killed with it
        )
        try:
            _wait_healthy(server, base_url, log)
            yield base_url
        except BaseException:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
            raise
        server.terminate()  # gunicorn's graceful shutdown
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def serve_app(inst: Instance, workers: int = 2) -> Iterator[str]:
    """Serve Pain Diary (`wsgi:app`) on the instance; yield its URL."""
    return serve("wsgi:app", inst.env, workers)


def _wait_healthy(server: subprocess.Popen, base_url: str, log, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            if requests.get(f"{base_url}/healthz", timeout=5).ok:
                return
        except requests.RequestException:  # bound but workers still booting, or not yet bound
            pass
        time.sleep(0.1)
    log.seek(0)
    raise RuntimeError(f"gunicorn at {base_url} did not become healthy:\n{log.read()[-3000:]}")
