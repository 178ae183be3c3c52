"""The front desk in real Chromium (issue #14): a phone call registered and found again by the caller's phone,
a Chinese word from the middle of a description found, and an overdue urgent leak on top of page 1 — at a
laptop's 1366 px and a phone's 390 px."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

from estate.core.clock import FixedClock, SystemClock
from estate.core.context import Context
from estate.tickets.create import create_ticket
from tests.support.browser import screenshot
from tests.support.console import PASSWORD, live_world
from tests.support.live import serve_in_thread

SHOTS = Path("/tmp/house/shots")
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def shot(page, name: str) -> None:
    """A test artefact, copied where the team looks at pages (when that folder exists)."""
    path = screenshot(page, name)
    if SHOTS.is_dir():
        shutil.copy(path, SHOTS / path.name)
        page.screenshot(path=str(SHOTS / f"{name}-top.png"))  # what the screen shows first


def serious_problems(page) -> list[tuple[str, str, list]]:
    """axe-core's serious and critical findings on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/**")


def serve(settings):
    from desk.app import create_app

    return serve_in_thread(create_app(Context.from_settings(settings, clock=SystemClock())))


async def busy_morning(ctx: Context, world: Any) -> str:
    """An urgent leak that came in two hours ago (due after 15 minutes), then 60 inquiries and a tap."""
    now = ctx.clock.now()
    async with ctx.sessions() as s, s.begin():
        leak = await create_ticket(
            s,
            clock=FixedClock(now - timedelta(hours=2)),
            estate_id=world.estate.id,
            kind="repair",
            category_code="water_leak",
            description="卫生间天花板漏水严重",
            resident_id=world.resident.id,
            urgency="urgent",
        )
        for i in range(60):
            await create_ticket(
                s,
                clock=FixedClock(now - timedelta(minutes=60 - i)),
                estate_id=world.estate.id,
                kind="inquiry",
                category_code="general",
                description=f"物业费怎么交 {i}",
                resident_id=world.resident.id,
            )
        return leak.ref


def test_a_phone_call_is_registered_and_found_by_the_callers_phone(browser, tmp_path):
    settings, _ = live_world(tmp_path)
    with serve(settings) as base:
        context = browser.new_context(viewport=LAPTOP, locale="zh-CN")
        page = context.new_page()
        sign_in(page, base, "agent")
        page.goto(f"{base}/console/tickets")
        page.get_by_role("link", name="来电来访登记").click()
        page.get_by_label("来电人：电话、房号或姓名").fill("138 0013 8000")
        page.click("#look-up")
        page.get_by_text("Zhang San · 1-101").wait_for()
        page.select_option("select[name=source]", label="来电")
        page.select_option("select[name=what]", label="报修 · 漏水")
        page.get_by_label("紧急（漏水、停电、燃气、电梯困人）").check()
        page.fill("textarea[name=description]", "厨房水管接口渗水")
        assert serious_problems(page) == []
        shot(page, "front-desk-register-1366")
        page.click("#register-submit")
        page.wait_for_url("**/console/tickets/*")
        ref = page.locator("h1").first.inner_text().split()[0]
        page.goto(f"{base}/console/tickets")
        page.get_by_label("搜索工单").fill("13800138000")
        page.get_by_role("button", name="搜索").click()
        row = page.locator("#rows tr").first
        assert ref in row.inner_text() and "厨房水管接口渗水" in row.inner_text()
        assert page.locator("#rows tr").count() == 1
        assert "还剩" in row.inner_text()  # the badge in words
        shot(page, "front-desk-found-by-phone-1366")
        context.close()


def test_a_word_from_the_middle_of_a_description_and_the_overdue_leak_on_top(browser, tmp_path):
    settings, leak_ref = live_world(tmp_path, busy_morning)
    with serve(settings) as base:
        for name, viewport in (("1366", LAPTOP), ("390", PHONE)):
            context = browser.new_context(viewport=viewport, locale="zh-CN")
            page = context.new_page()
            sign_in(page, base, "agent")
            page.goto(f"{base}/console/tickets")
            first = page.locator("#rows tr").first
            assert leak_ref in first.inner_text() and "超时 1 小时" in first.inner_text()
            assert page.get_by_role("link", name="下一页 →").count() == 1  # 61 tickets: two pages
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            assert serious_problems(page) == []
            shot(page, f"front-desk-queue-{name}")
            page.get_by_label("搜索工单").fill("漏水")
            page.get_by_role("button", name="搜索").click()
            page.wait_for_url("**q=**")
            assert page.locator("#rows tr").count() == 1 and leak_ref in first.inner_text()
            shot(page, f"front-desk-search-{name}")
            page.goto(f"{base}/console/tickets/new?who=1-101")
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            assert serious_problems(page) == []
            shot(page, f"front-desk-register-{name}")
            context.close()
