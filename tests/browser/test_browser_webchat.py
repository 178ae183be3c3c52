"""The web chat in real Chromium on a phone-sized screen: bind with a code, report a repair, see the reference."""

from __future__ import annotations

import re

from estate.core.clock import SystemClock
from estate.core.context import Context
from estate.core.settings import Settings
from estate.residents.codes import issue_binding_code
from estate.schema import Base
from tests.support.browser import screenshot
from tests.support.dialogs import world_with_catalogue
from tests.support.live import run_async, serve_in_thread


def _prepare(tmp_path) -> tuple[Settings, str]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/chat.sqlite3",
        data_dir=tmp_path / "data",
        secret_key="browser-secret-0123456789abcdef01234",
    )

    async def setup() -> str:
        ctx = Context.from_settings(settings, clock=SystemClock())
        async with ctx.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        world = await world_with_catalogue(ctx, ctx.clock.now())
        async with ctx.sessions() as s, s.begin():
            code = await issue_binding_code(
                s, clock=ctx.clock, unit_id=world.unit.id, secret=settings.secret_key
            )
        await ctx.close()
        return code

    return settings, run_async(setup())


def test_bind_and_report_a_repair_on_a_phone(browser, tmp_path):
    from desk.app import create_app

    settings, code = _prepare(tmp_path)
    app = create_app(Context.from_settings(settings, clock=SystemClock()))
    with serve_in_thread(app) as base:
        context = browser.new_context(
            viewport={"width": 360, "height": 740},
            locale="zh-CN",
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
        )
        page = context.new_page()
        page.goto(f"{base}/chat")
        page.get_by_text("您好，Star City物业客服中心，请问有什么可以帮助您？", exact=False).wait_for()
        screenshot(page, "webchat-1-greeting")
        page.get_by_role("button", name="绑定房屋").click()
        page.get_by_text("请输入账单上或前台提供的绑定码", exact=False).wait_for()
        page.locator("#text").fill(code)
        page.locator("#send").click()
        page.get_by_text("本对话已绑定到您的房屋 1-101", exact=False).wait_for()
        page.get_by_role("button", name="我要报修").last.click()
        page.get_by_role("button", name="水管/下水").last.click()
        page.get_by_role("button", name="我家（1-101）").last.click()
        page.locator("#text").fill("厨房水槽下水很慢")
        page.locator("#text").press("Enter")
        page.get_by_role("button", name="跳过").last.click()
        page.get_by_role("button", name="尽快上门").last.click()
        page.get_by_text("请核对您的报修信息", exact=False).wait_for()
        page.get_by_role("button", name="确认提交").last.click()
        done = page.get_by_text("您的报修已登记", exact=False)
        done.wait_for()
        assert re.search(r"BX-\d{8}-\d{4}", done.inner_text())
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360  # nothing overflows the phone's width
        screenshot(page, "webchat-2-repair-registered")
        context.close()
