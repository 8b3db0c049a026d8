"""What makes the web app installable and able to open offline: the manifest and the worker."""

import json
import re

import pytest

from pain_diary.web import pwa as routes


def test_the_manifest_has_what_a_phone_needs_to_install_the_app(client):
    answer = client.get("/manifest.webmanifest")
    assert answer.status_code == 200
    assert answer.mimetype == "application/manifest+json"
    manifest = json.loads(answer.get_data(as_text=True))
    assert manifest["name"] == "Pain Diary" and manifest["short_name"]
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/today"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as image:
            assert image.status_code == 200 and image.mimetype == "image/png"
            width, height = int.from_bytes(image.data[16:20]), int.from_bytes(image.data[20:24])
            assert f"{width}x{height}" == icon["sizes"]  # the PNG's own header says so
    (shortcut,) = manifest["shortcuts"]
    assert shortcut["name"] == "Log pain" and shortcut["url"].startswith("/today")


def test_the_service_worker_is_served_at_the_root_with_its_shell(client):
    answer = client.get("/sw.js")
    assert answer.status_code == 200
    assert answer.mimetype == "text/javascript"
    assert answer.headers["Service-Worker-Allowed"] == "/"
    source = answer.get_data(as_text=True)
    shell = json.loads(re.search(r"^const SHELL = (.*);$", source, re.M).group(1))
    pages = json.loads(re.search(r"^const PAGES = (.*);$", source, re.M).group(1))
    assert "/static/js/today.js" in shell and "/static/css/app.css" in shell
    assert "/static/js/sw.js" not in shell
    for path in shell:  # install fails if any one of them is missing
        with client.get(path) as asset:
            assert asset.status_code == 200, path
    assert pages[0] == "/today" and "/history" in pages


def test_a_changed_shell_file_makes_a_new_service_worker(app, tmp_path):
    static = tmp_path / "static"
    (static / "js").mkdir(parents=True)
    (static / "js" / "sw.js").write_text("// worker")
    (static / "js" / "today.js").write_text("// one")
    first, shell = routes.shell_files(str(static), "/static")
    assert shell == ["/static/js/today.js"]
    (static / "js" / "today.js").write_text("// two")
    routes.shell_files.cache_clear()
    assert routes.shell_files(str(static), "/static")[0] != first


@pytest.mark.parametrize("path", ["/manifest.webmanifest", "/sw.js"])
def test_manifest_and_worker_are_for_anyone(client, path):
    assert client.get(path).status_code == 200
