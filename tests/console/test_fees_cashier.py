"""Issue #14 in the console, fees side: bills issued after a preview and a confirmation, voiding a bill with a
reason, arrears by building, the printable payment notice, cashiers importing bills and payments (problems in
words, every import audited with its staff member), and exports in the staff member's language with money as
numbers."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from decimal import Decimal

import httpx
import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from desk.app import create_app
from estate.billing.bills import generate_monthly_bills
from estate.billing.models import Bill, FeeItem, Payment
from estate.residents.models import Building, Estate, Resident, Unit
from estate.staff.models import AuditLog
from tests.support.console import console_world, sign_in
from tests.support.factories import make_ticket

ZH = "zh_CN"


@pytest.fixture
async def world(ctx):
    """The console world with a phone for the estate, building 2 with unit 2-201, a management fee per m² and
    October's bills (due 15 October, so both units are in arrears on 22 November)."""
    w = await console_world(ctx)
    async with ctx.sessions() as s, s.begin():
        estate = await s.get(Estate, w.estate.id)
        estate.phone = "0571-88886666"
        b2 = Building(estate_id=w.estate.id, code="2", name="Building 2")
        s.add(b2)
        await s.flush()
        unit = Unit(estate_id=w.estate.id, building_id=b2.id, code="2-201", floor=2, area_m2=Decimal("60.00"))
        s.add(unit)
        await s.flush()
        s.add(Resident(unit_id=unit.id, name="Li Si", phone="13900000001", role="owner"))
        s.add(
            FeeItem(
                estate_id=w.estate.id,
                code="management",
                name="物业管理费",
                kind="per_area",
                unit_price_cents=200,
            )
        )
    async with ctx.sessions() as s, s.begin():
        await generate_monthly_bills(s, clock=ctx.clock, estate_id=w.estate.id, period="2026-10")
    w.building2 = b2
    return w


def client_for(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def signed_in(c: httpx.AsyncClient, role: str, locale: str = "en") -> str:
    csrf = await sign_in(c, role)
    c.cookies.set("desk_console_lang", locale)
    return csrf


async def _count(ctx, model, *where) -> int:
    async with ctx.sessions() as s:
        return (await s.execute(select(func.count()).select_from(model).where(*where))).scalar_one()


async def _audits(ctx, action: str) -> list[AuditLog]:
    async with ctx.sessions() as s:
        return list((await s.execute(select(AuditLog).where(AuditLog.action == action))).scalars())


# --- issuing a month's bills: preview, then confirm ----------------------------------------------------


async def test_bills_are_previewed_then_issued_only_after_confirmation(ctx, world):
    async with client_for(create_app(ctx)) as c:
        csrf = await signed_in(c, "cashier")
        preview = await c.get("/console/fees/generate", params={"period": "2026-12"})
        assert preview.status_code == 200
        text = preview.text
        assert "2026-12" in text and "物业管理费" in text
        assert "2 units" in text and "¥297.00" in text  # 88.5 m² and 60 m² at ¥2.00
        assert await _count(ctx, Bill, Bill.period == "2026-12") == 0
        unconfirmed = await c.post("/console/fees/generate", data={"csrf": csrf, "period": "2026-12"})
        assert unconfirmed.status_code == 200 and "Issue these bills" in unconfirmed.text
        assert await _count(ctx, Bill, Bill.period == "2026-12") == 0
        done = await c.post(
            "/console/fees/generate", data={"csrf": csrf, "period": "2026-12", "confirm": "yes"}
        )
    assert done.status_code == 200
    assert "2 bills issued for 2026-12, ¥297.00 in all." in done.text
    assert await _count(ctx, Bill, Bill.period == "2026-12") == 2


async def test_the_preview_refuses_a_month_that_cannot_be_issued(ctx, world):
    async with client_for(create_app(ctx)) as c:
        csrf = await signed_in(c, "cashier", ZH)
        refused = await c.get("/console/fees/generate", params={"period": "2027-06"})
        forced = await c.post(
            "/console/fees/generate", data={"csrf": csrf, "period": "2027-06", "confirm": "yes"}
        )
    assert refused.status_code == forced.status_code == 400
    assert "只能为 2026-11 或 2026-12 出账单" in refused.text
    assert await _count(ctx, Bill, Bill.period == "2027-06") == 0


# --- voiding a bill ------------------------------------------------------------------------------------


async def _bill_of(ctx, code: str) -> Bill:
    async with ctx.sessions() as s:
        return (await s.execute(select(Bill).join(Unit).where(Unit.code == code))).scalar_one()


async def test_a_bill_is_voided_with_a_reason_and_the_unit_page_shows_it(ctx, world):
    bill = await _bill_of(ctx, "1-101")
    async with client_for(create_app(ctx)) as c:
        csrf = await signed_in(c, "cashier")
        page = (await c.get("/console/units/1-101")).text
        assert f"/console/fees/bills/{bill.id}/void" in page
        blank = await c.post(f"/console/fees/bills/{bill.id}/void", data={"csrf": csrf, "reason": " "})
        assert blank.status_code == 400 and "Please say why the bill is voided" in blank.text
        assert await _count(ctx, Bill, Bill.id == bill.id) == 1
        voided = await c.post(
            f"/console/fees/bills/{bill.id}/void", data={"csrf": csrf, "reason": "Area entered wrongly"}
        )
        assert voided.status_code == 303
        unit_page = (await c.get("/console/units/1-101")).text
        arrears = (await c.get("/console/fees")).text
    assert await _count(ctx, Bill, Bill.id == bill.id) == 0
    [entry] = await _audits(ctx, "bill.void")
    assert entry.staff_id == world.staff["cashier"].id and entry.detail["reason"] == "Area entered wrongly"
    assert "Voided bills" in unit_page and "Area entered wrongly" in unit_page and "Cashier" in unit_page
    assert "/console/units/1-101" not in arrears and "/console/units/2-201" in arrears


async def test_a_part_paid_bill_is_not_voided_and_the_page_says_why(ctx, world):
    bill = await _bill_of(ctx, "1-101")
    async with client_for(create_app(ctx)) as c:
        csrf = await signed_in(c, "cashier")
        key = re.search(r'name="key" value="([^"]+)"', (await c.get("/console/units/1-101")).text).group(1)
        await c.post(
            "/console/units/1-101/pay", data={"csrf": csrf, "amount": "50", "method": "cash", "key": key}
        )
        refused = await c.post(f"/console/fees/bills/{bill.id}/void", data={"csrf": csrf, "reason": "typo"})
    assert refused.status_code == 400
    assert "¥50.00 has been paid on the bill of 2026-10" in refused.text
    assert await _count(ctx, Bill, Bill.id == bill.id) == 1 and await _audits(ctx, "bill.void") == []


async def test_only_the_fee_roles_void_bills(ctx, world):
    bill = await _bill_of(ctx, "1-101")
    async with client_for(create_app(ctx)) as c:
        csrf = await signed_in(c, "agent")
        refused = await c.post(f"/console/fees/bills/{bill.id}/void", data={"csrf": csrf, "reason": "x"})
    assert refused.status_code == 403 and await _count(ctx, Bill, Bill.id == bill.id) == 1


# --- arrears by building and the payment notice ----------------------------------------------------------


async def test_arrears_are_grouped_and_filtered_by_building(ctx, world):
    async with client_for(create_app(ctx)) as c:
        await signed_in(c, "cashier")
        everyone = (await c.get("/console/fees")).text
        one = (await c.get("/console/fees", params={"building": world.building2.id})).text
    listing = everyone[everyone.index('id="arrears"') :]
    assert listing.index("Building 1") < listing.index("/console/units/1-101") < listing.index("Building 2")
    assert "/console/units/2-201" in one and "/console/units/1-101" not in one


async def test_a_printable_payment_notice_per_unit(ctx, world):
    async with client_for(create_app(ctx)) as c:
        await signed_in(c, "cashier", ZH)
        fees = (await c.get("/console/fees")).text
        notice = await c.get("/console/fees/notice/1-101")
        missing = await c.get("/console/fees/notice/9-999")
        css = (await c.get("/console/static/notice.css")).text
    assert "/console/fees/notice/1-101" in fees
    html = notice.text
    assert notice.status_code == 200 and "缴费通知单" in html
    for shown in ("Star City", "1-101", "Zhang San", "2026-10", "物业管理费", "¥177.00", "0571-88886666"):
        assert shown in html, shown
    assert "/console/static/notice.css" in html and "@media print" in css
    assert missing.status_code == 404


# --- cashiers import bills and payments ---------------------------------------------------------------------


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_a_cashier_imports_bills_with_excel_dates_and_problems_in_words(ctx, world):
    sheet = _xlsx(
        [
            ["房号", "账期", "收费项目", "金额"],
            ["1-101", datetime(2026, 8, 1), "物业管理费", 177],
            ["9-999", "2026-08", "物业管理费", 10],
            ["2-201", "八月", "物业管理费", 10],
        ]
    )
    async with client_for(create_app(ctx)) as c:
        csrf = await signed_in(c, "cashier", ZH)
        fees = (await c.get("/console/fees")).text
        r = await c.post(
            "/console/fees/import",
            data={"csrf": csrf, "kind": "bills"},
            files={"file": ("bills.xlsx", sheet, XLSX)},
        )
    assert 'action="/console/fees/import"' in fees
    assert r.status_code == 200
    assert "找不到该房号" in r.text and "unknown_unit" not in r.text
    assert "八月" in r.text and "bad_period" not in r.text
    assert await _count(ctx, Bill, Bill.period == "2026-08") == 1
    [entry] = await _audits(ctx, "bills.import")
    assert entry.staff_id == world.staff["cashier"].id
    assert entry.detail == {"file": "bills.xlsx", "created": 1, "updated": 0, "skipped": 0, "problems": 2}


async def test_a_cashier_imports_payments_recorded_in_their_name(ctx, world):
    sheet = _xlsx([["房号", "金额", "缴费日期", "收据号"], ["1-101", 177, datetime(2026, 11, 2), "R-9"]])
    async with client_for(create_app(ctx)) as c:
        csrf = await signed_in(c, "cashier")
        r = await c.post(
            "/console/fees/import",
            data={"csrf": csrf, "kind": "payments"},
            files={"file": ("pay.xlsx", sheet, XLSX)},
        )
    assert r.status_code == 200
    async with ctx.sessions() as s:
        payment = (await s.execute(select(Payment))).scalar_one()
    assert payment.staff_id == world.staff["cashier"].id
    cashier = world.staff["cashier"].id
    assert [e.staff_id for e in await _audits(ctx, "payments.import")] == [cashier]
    assert [e.staff_id for e in await _audits(ctx, "payment.record")] == [cashier]


async def test_fee_imports_follow_their_roles_and_resident_imports_are_audited(ctx, world):
    async with client_for(create_app(ctx)) as c:
        csrf = await signed_in(c, "agent")
        refused = await c.post(
            "/console/fees/import",
            data={"csrf": csrf, "kind": "bills"},
            files={"file": ("b.csv", b"unit,period,item,amount\n1-101,2026-08,x,1\n", "text/csv")},
        )
    assert refused.status_code == 403
    async with client_for(create_app(ctx)) as c:
        csrf = await signed_in(c, "manager")
        r = await c.post(
            "/console/import",
            data={"csrf": csrf, "kind": "residents"},
            files={"file": ("r.csv", "unit,name,phone\n1-101,王五,13912345678\n".encode(), "text/csv")},
        )
    assert r.status_code == 200
    [entry] = await _audits(ctx, "residents.import")
    assert entry.staff_id == world.staff["manager"].id and entry.detail["created"] == 1


# --- exports: labels in the staff member's language, money as numbers ---------------------------------------


async def test_the_arrears_report_is_in_the_staff_language_with_money_as_numbers(ctx, world):
    ctx.clock.set(ctx.clock.now().replace(day=28))
    async with client_for(create_app(ctx)) as c:
        csrf = await signed_in(c, "cashier", ZH)
        await c.post("/console/reports/make", data={"csrf": csrf, "kind": "arrears_report"})
        listing = (await c.get("/console/reports")).text
        report_id = re.search(r"/console/reports/(\d+)\?format=xlsx", listing).group(1)
        xlsx = await c.get(f"/console/reports/{report_id}?format=xlsx")
        csv_file = await c.get(f"/console/reports/{report_id}?format=csv")
        html = (await c.get(f"/console/reports/{report_id}")).text
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows())
    assert [cell.value for cell in rows[0]] == ["房号", "住户", "欠费月份", "欠费金额", "最长逾期天数"]
    first = {cell.value for cell in rows[1]} | {cell.value for cell in rows[2]}
    assert "1-101" in first
    money = [row[3] for row in rows[1:]]
    assert [cell.value for cell in money] == [177.0, 120.0, 297.0]
    assert all(cell.data_type == "n" and cell.number_format == "#,##0.00" for cell in money)
    assert rows[-1][0].value == "合计"
    parsed = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig"))))
    assert parsed[0][0] == "房号" and parsed[1][3] == "177.00"
    assert "<th>欠费金额</th>" in html and "¥177.00" in html


async def test_the_ticket_export_is_labelled_in_the_staff_language(ctx, world):
    await make_ticket(ctx, world, "厨房水管漏水")
    async with client_for(create_app(ctx)) as c:
        await signed_in(c, "supervisor", ZH)
        export = await c.get("/console/export/tickets.csv")
    async with client_for(create_app(ctx)) as c:
        await signed_in(c, "cashier", ZH)
        refused = await c.get("/console/export/tickets.csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["工单号", "类型", "类别", "状态"]
    assert rows[1][1:4] == ["报修", "水管/下水", "已受理"]
    assert refused.status_code == 403
