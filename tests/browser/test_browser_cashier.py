"""A cashier's day in real Chromium (issue #14): June 2027 refused from the preview, next month's bills previewed
and confirmed, bills imported from an XLSX file with an Excel date and a wrong unit, a bill voided with a reason,
arrears by building and the printable payment notice, at 1366 px and on a 390 px phone, each page without serious or critical axe-core findings."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from sqlalchemy import func, select

from estate.billing.models import Bill, FeeItem
from estate.billing.periods import period_of, shift
from estate.core.clock import SystemClock
from estate.core.context import Context
from estate.residents.models import Building, Estate, Resident, Unit
from estate.staff.models import AuditLog, Staff
from tests.browser.test_browser_front_desk import serious_problems
from tests.support.browser import screenshot
from tests.support.console import PASSWORD, live_world
from tests.support.live import run_async, serve_in_thread


async def _fees_and_building_two(ctx: Context, world) -> None:
    async with ctx.sessions() as s, s.begin():
        estate = await s.get(Estate, world.estate.id)
        estate.phone = "0571-88886666"
        s.add(
            FeeItem(
                estate_id=world.estate.id, code="m", name="物业管理费", kind="per_area", unit_price_cents=200
            )
        )
        building = Building(estate_id=world.estate.id, code="2", name="2号楼")
        s.add(building)
        await s.flush()
        unit = Unit(
            estate_id=world.estate.id, building_id=building.id, code="2-201", floor=2, area_m2=Decimal("60")
        )
        s.add(unit)
        await s.flush()
        s.add(Resident(unit_id=unit.id, name="李四", phone="13900000001", role="owner"))


def _bills_xlsx(period: str) -> bytes:
    """A bill import whose period column holds Excel dates, with one row naming a unit that does not exist."""
    year, month = (int(x) for x in period.split("-"))
    wb = Workbook()
    for row in (
        ["房号", "账期", "收费项目", "金额"],
        ["1-101", datetime(year, month, 1), "物业管理费", 177],
        ["2-201", datetime(year, month, 1), "物业管理费", 120],
        ["9-999", datetime(year, month, 1), "物业管理费", 50],
    ):
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/fees")


async def _database(settings):
    ctx = Context.from_settings(settings, clock=SystemClock())
    try:
        async with ctx.sessions() as s:
            bills = dict((await s.execute(select(Bill.period, func.count()).group_by(Bill.period))).all())
            audits = (
                await s.execute(select(AuditLog.action, Staff.username, AuditLog.detail).join(Staff))
            ).all()
        return bills, audits
    finally:
        await ctx.close()


def test_a_cashiers_day_preview_import_void_and_notice(browser, tmp_path):
    from desk.app import create_app

    settings, _ = live_world(tmp_path, _fees_and_building_two)
    this_month = period_of(datetime.now(ZoneInfo("Asia/Shanghai")).date())
    next_month, old_month = shift(this_month, 1), shift(this_month, -3)
    app = create_app(Context.from_settings(settings, clock=SystemClock()))
    with serve_in_thread(app) as base:
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        page = context.new_page()
        sign_in(page, base, "cashier")

        # June 2027 is refused from the preview, with the months that are allowed
        page.fill("#period", "2027-06")
        page.click("#generate button")
        page.get_by_text(f"只能为 {this_month} 或 {next_month} 出账单").wait_for()
        screenshot(page, "cashier-1-refused")

        # next month: the preview says what would be issued; nothing exists until confirmed
        page.goto(f"{base}/console/fees")
        page.fill("#period", next_month)
        page.click("#generate button")
        page.locator("#preview-summary").get_by_text("将为 2 户生成").wait_for()
        assert "¥297.00" in page.locator("#preview-summary").inner_text()
        screenshot(page, "cashier-2-preview")
        assert serious_problems(page) == []
        assert run_async(_database(settings))[0].get(next_month) is None
        page.click("#confirm-bills")
        page.locator("#generated").get_by_text(f"已生成 {next_month} 账单 2 张").wait_for()

        # an XLSX import with Excel dates in the period column and an unknown unit
        page.goto(f"{base}/console/fees")
        page.select_option("#import-kind", "bills")
        page.set_input_files(
            "#import-file",
            files=[
                {
                    "name": "bills.xlsx",
                    "mimeType": "application/octet-stream",
                    "buffer": _bills_xlsx(old_month),
                }
            ],
        )
        page.click("#fee-import button")
        page.locator("#import-problems").get_by_text("找不到该房号").wait_for()
        assert page.locator("#import-summary").inner_text() == "新增 2，更新 0，跳过 0，有问题的行 1。"
        screenshot(page, "cashier-3-import")
        assert serious_problems(page) == []

        # the imported bill of 1-101 is voided with a reason
        page.goto(f"{base}/console/units/1-101")
        row = page.locator("#bills tr", has_text=old_month)
        row.locator("summary").click()
        row.locator("input[name=reason]").fill("导入月份有误")
        row.get_by_role("button", name="作废此账单").click()
        page.locator("#voided").get_by_text("导入月份有误").wait_for()
        screenshot(page, "cashier-4-voided")
        assert serious_problems(page) == []

        # arrears by building, then the payment notice of 2-201
        page.goto(f"{base}/console/fees")
        page.select_option("#building", label="2号楼")
        page.click("#building-filter button")
        page.locator("#arrears").get_by_role("link", name="2-201").wait_for()
        assert page.locator("#arrears").get_by_role("link", name="1-101").count() == 0
        screenshot(page, "cashier-5-arrears-building")
        assert serious_problems(page) == []
        page.goto(f"{base}/console/fees/notice/2-201")
        page.get_by_text("缴费通知单").first.wait_for()
        notice = page.locator("main").inner_text()
        assert old_month in notice and next_month in notice and "0571-88886666" in notice
        assert page.locator("#notice-total").inner_text() == "¥240.00"  # the imported month and next month
        screenshot(page, "cashier-6-notice")
        assert serious_problems(page) == []

        phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
        small = phone.new_page()
        sign_in(small, base, "cashier")
        assert small.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(small, "cashier-7-fees-390")
        assert serious_problems(small) == []
        small.goto(f"{base}/console/fees/notice/2-201")
        assert small.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(small, "cashier-8-notice-390")
        assert serious_problems(small) == []
        phone.close()
        context.close()

    bills, audits = run_async(_database(settings))
    assert bills.get(next_month) == 2 and bills.get(old_month) == 1  # 2-201's imported bill stays
    done = {(action, who) for action, who, _ in audits}
    assert ("bills.import", "cashier") in done and ("bill.void", "cashier") in done
    [void] = [detail for action, _, detail in audits if action == "bill.void"]
    assert void["reason"] == "导入月份有误" and void["period"] == old_month
