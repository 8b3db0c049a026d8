"""The API documentation renders in a real browser with no internet."""

import pytest

from .browser import browser_page, live_server

pytestmark = pytest.mark.slow


def test_swagger_ui_renders_offline_without_csp_violations(app, chromium):
    with live_server(app) as base, browser_page(chromium) as (page, offsite):
        problems = []
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(f"{base}/api/docs")
        page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
        assert "Pain Diary API" in page.inner_text(".swagger-ui .info .title")
        page.get_by_text("/api/v1/auth/login", exact=True).wait_for()
    assert offsite == []
    assert problems == []
