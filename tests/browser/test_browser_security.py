"""The Content-Security-Policy in real Chromium: console and chat pages work with no inline script or style,
and the browser reports no violation."""

from __future__ import annotations

from estate.core.clock import SystemClock
from estate.core.context import Context
from estate.core.settings import Settings
from tests.support.console import PASSWORD, live_world
from tests.support.live import serve_in_thread


def _prepare(tmp_path) -> Settings:
    settings, _ = live_world(tmp_path)
    return settings


def test_console_and_chat_work_under_the_content_security_policy(browser, tmp_path):
    from desk.app import create_app

    settings = _prepare(tmp_path)
    app = create_app(Context.from_settings(settings, clock=SystemClock()))
    violations: list[str] = []

    def watch(page) -> None:
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )

    with serve_in_thread(app) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        context.add_init_script("window.print = function () { document.body.dataset.printed = 'yes'; };")
        context.on("page", watch)
        page = context.new_page()
        page.goto(f"{base}/console/login")
        page.fill("input[name=username]", "manager")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.goto(f"{base}/console/dashboard")
        page.locator("#kpi-new").wait_for()
        page.wait_for_function("document.getElementById('bell').innerHTML.trim() !== ''")  # htmx ran
        page.goto(f"{base}/console/units/1-101")
        with context.expect_page() as slip_info:
            page.get_by_role("button", name="Print a binding code").click()
        slip = slip_info.value
        slip.wait_for_load_state("networkidle")
        slip.get_by_role("button", name="Print").click()
        assert slip.locator("body").get_attribute("data-printed") == "yes"
        assert slip.locator(".slip").evaluate("e => getComputedStyle(e).borderStyle") == "dashed"
        page.goto(f"{base}/console/residents")
        page.goto(f"{base}/console/tickets/999999")
        page.get_by_role("link", name="Back").click()
        page.wait_for_url(f"{base}/console/residents")

        chat = context.new_page()
        chat.goto(f"{base}/chat")
        chat.locator(".msg.centre").first.wait_for()
        chat.fill("#text", "hello")
        chat.click("#send")
        chat.locator(".msg.resident").get_by_text("hello").wait_for()
        context.close()
    assert violations == []
