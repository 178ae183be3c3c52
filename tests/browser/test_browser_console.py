"""The console in real Chromium: an agent works a repair from claim to resolution; the supervisor sees the callback."""

from __future__ import annotations

from estate.core.clock import SystemClock
from estate.core.context import Context
from estate.core.settings import Settings
from tests.support.browser import screenshot
from tests.support.console import PASSWORD, live_console
from tests.support.live import serve_in_thread


def _prepare(tmp_path) -> tuple[Settings, str]:
    settings, ref, _ = live_console(tmp_path)
    return settings, ref


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/tickets**")


def test_agent_works_a_repair_and_the_supervisor_sees_the_callback(browser, tmp_path):
    from desk.app import create_app

    settings, ref = _prepare(tmp_path)
    app = create_app(Context.from_settings(settings, clock=SystemClock()))
    with serve_in_thread(app) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.goto(f"{base}/console/login")
        screenshot(page, "console-1-login")
        sign_in(page, base, "agent")
        page.get_by_role("link", name=ref).wait_for()
        page.locator("#bell b.hot").wait_for()  # the bell counts the new ticket
        screenshot(page, "console-2-queue")
        page.get_by_role("link", name=ref).click()
        page.click("#claim")
        page.get_by_text("已认领").first.wait_for()
        page.select_option("select[name=department]", "engineering")
        page.select_option("select[name=technician]", label="Technician")
        page.click("#dispatch")
        page.get_by_text("已派工").first.wait_for()
        page.get_by_text("规范用语").click()
        page.get_by_role("button", name="请稍等！").click()
        assert page.input_value("#reply-text") == "请稍等！"
        page.click("#send-reply")
        page.locator(".timeline .message_out").get_by_text("请稍等！").wait_for()
        page.fill("#reply-text", "急什么，师傅在路上")
        page.click("#send-reply")
        refused = page.locator("#refused")
        refused.wait_for()
        assert refused.locator("mark").inner_text() == "急什么"
        assert "请您不要着急" in refused.inner_text()
        screenshot(page, "console-3-forbidden-phrase-refused")
        assert page.locator(".timeline .message_out").count() == 1  # the rude reply was not sent
        page.fill("input[name=result]", "已疏通下水管")
        page.click("#resolve")
        page.locator(".status").get_by_text("已解决").wait_for()
        screenshot(page, "console-4-resolved")
        page.click("form[action='/console/logout'] button")
        sign_in(page, base, "supervisor")
        page.goto(f"{base}/console/callbacks")
        page.get_by_role("link", name=ref).wait_for()
        assert "已疏通下水管" in page.inner_text("article.callback")
        screenshot(page, "console-5-callbacks")
        context.close()
