"""Console part 2 in real Chromium: a cashier takes a payment and the arrears list shrinks; a manager opens the
dashboard and downloads the arrears report, which parses."""

from __future__ import annotations

from openpyxl import load_workbook

from estate.billing.models import FeeItem
from estate.core.clock import SystemClock
from estate.core.context import Context
from estate.core.settings import Settings
from tests.support.browser import screenshot
from tests.support.console import PASSWORD, live_world
from tests.support.live import serve_in_thread


def _prepare(tmp_path) -> Settings:
    async def billed_for_september(ctx: Context, world) -> None:
        from estate.billing.bills import generate_monthly_bills

        async with ctx.sessions() as s, s.begin():
            s.add(
                FeeItem(
                    estate_id=world.estate.id,
                    code="management",
                    name="物业管理费",
                    kind="per_area",
                    unit_price_cents=185,
                )
            )
        async with ctx.sessions() as s, s.begin():
            await generate_monthly_bills(s, clock=ctx.clock, estate_id=world.estate.id, period="2026-09")

    settings, _ = live_world(tmp_path, billed_for_september)
    return settings


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_cashier_payment_and_manager_dashboard_and_report(browser, tmp_path):
    from desk.app import create_app

    settings = _prepare(tmp_path)
    app = create_app(Context.from_settings(settings, clock=SystemClock()))
    with serve_in_thread(app) as base:
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True
        )
        page = context.new_page()
        sign_in(page, base, "cashier")
        assert page.url.endswith("/console/fees")
        arrears = page.locator("#arrears")
        arrears.get_by_role("link", name="1-101").wait_for()
        screenshot(page, "fees-1-arrears")
        arrears.get_by_role("link", name="1-101").click()
        page.fill("input[name=amount]", "163.73")
        page.select_option("select[name=method]", "wechat")
        page.click("#record-payment")
        page.locator("#outstanding").get_by_text("¥0.00").wait_for()
        page.goto(f"{base}/console/fees")
        page.get_by_text("目前没有欠费").wait_for()
        assert arrears.get_by_role("link", name="1-101").count() == 0  # the list shrank
        page.click("form[action='/console/logout'] button")

        sign_in(page, base, "manager")
        page.goto(f"{base}/console/dashboard")
        page.locator("#kpi-new").wait_for()
        shot = screenshot(page, "fees-2-dashboard")
        assert shot.stat().st_size > 10_000
        page.goto(f"{base}/console/reports")
        page.get_by_role("button", name="立即生成欠费报告").click()
        page.locator("a.xlsx").first.wait_for()
        with page.expect_download() as info:
            page.locator("a.xlsx").first.click()
        assert info.value.suggested_filename.endswith(".xlsx")
        with open(info.value.path(), "rb") as fh:
            sheet = load_workbook(fh).active
        header = [c.value for c in next(sheet.iter_rows())]
        assert header == ["房号", "住户", "欠费月份", "欠费金额", "最长逾期天数"]
        screenshot(page, "fees-3-reports")
        context.close()
