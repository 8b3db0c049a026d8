"""What makes the web app installable and able to open offline: the manifest and the worker.

Both are served at the root: a service worker's scope is the folder of its script, and the app's
scope is the whole site.
"""

import hashlib
import json
from functools import cache
from pathlib import Path

from flask import Blueprint, current_app, url_for

from .routes import INBOX, patient_menu

THEME_COLOUR = "#2f6f8f"
#: The files under static/ that every page needs: the service worker caches them at install.
SHELL_GLOBS = ("js/*.js", "css/**/*.css", "icons/*")
NOT_SHELL = {"js/sw.js", "js/api-docs.js"}

bp = Blueprint("pwa", __name__)


@bp.get("/manifest.webmanifest")
def manifest():
    """What a phone needs to install the app: names, icons, colours and where it starts."""
    body = {
        "id": "/today",
        "name": "Pain Diary",
        "short_name": "Pain Diary",
        "description": (
            "Log pain, sleep, medications and therapy; share the trends with your clinician."
        ),
        "start_url": url_for("web.today"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": "#ffffff",
        "icons": [
            _icon("icon-192.png", 192), _icon("icon-512.png", 512),
            _icon("maskable-512.png", 512, "maskable"),
        ],
        "shortcuts": [{
            "name": "Log pain", "short_name": "Log pain", "url": f"{url_for('web.today')}#checkin",
            "icons": [_icon("icon-192.png", 192)],
        }],
    }  # fmt: skip
    return current_app.response_class(
        json.dumps(body, indent=2), mimetype="application/manifest+json"
    )


def _icon(name, size, purpose="any"):
    src = url_for("static", filename=f"icons/{name}")
    return {"src": src, "sizes": f"{size}x{size}", "type": "image/png", "purpose": purpose}


@bp.get("/sw.js")
def service_worker():
    """The service worker at the root, so that its scope is the whole app.

    Its text begins with the version of the shell (a hash of the files' contents): changing any
    of them makes a new worker, which caches the new files and drops the old ones.
    """
    version, shell = shell_files(current_app.static_folder, current_app.static_url_path)
    if current_app.debug:  # files change while developing; the cache would keep the first ones
        shell_files.cache_clear()
    pages = [url_for(endpoint) for endpoint, _ in patient_menu()] + [url_for(INBOX)]
    head = (
        f"const VERSION = {json.dumps(version)};\n"
        f"const SHELL = {json.dumps(shell)};\n"
        f"const PAGES = {json.dumps(pages)};\n"
    )
    source = (Path(current_app.static_folder) / "js" / "sw.js").read_text()
    response = current_app.response_class(head + source, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@cache
def shell_files(static_folder, static_url_path):
    """``(version, urls)`` of the shell files under ``static_folder``."""
    root = Path(static_folder)
    files = sorted(
        path for pattern in SHELL_GLOBS for path in root.glob(pattern)
        if path.is_file() and path.relative_to(root).as_posix() not in NOT_SHELL
    )  # fmt: skip
    digest = hashlib.sha256((root / "js" / "sw.js").read_bytes())
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    urls = [f"{static_url_path}/{path.relative_to(root).as_posix()}" for path in files]
    return digest.hexdigest()[:16], urls
