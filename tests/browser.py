"""Drive Debian's Chromium with Playwright against a live server on 127.0.0.1."""

import os
import shutil
import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Without these flags Chromium phones home at start; the machines have no network.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium():
    """Skip locally without Chromium; in CI (CI=true) a missing browser is a failure."""
    if CHROMIUM:
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail("Chromium is not installed; .ci/run installs it with apt-get")
    pytest.skip("Chromium is not installed here (apt-get install chromium); CI runs this test")


@contextmanager
def live_server(app):
    """Serve ``app`` on a free local port in a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@contextmanager
def browser_page(browser):
    """A fresh page of ``browser`` (the run's one Chromium, the ``chromium`` fixture) whose
    requests may only go to 127.0.0.1; yields (page, offsite requests).

    A second Playwright of its own would fail once the run's is started: Playwright's sync API
    refuses to start inside the event loop of another.
    """
    offsite = []

    def only_local(route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "data:", "blob:")):
            return route.continue_()
        offsite.append(url)
        return route.abort()

    context = browser.new_context()
    try:
        page = context.new_page()
        page.route("**/*", only_local)
        yield page, offsite
    finally:
        context.close()
