"""Console part 2: fees, archive, paid services, notices, dashboard and reports."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text

from console.auth import ROUTE_ROLES
from desk.app import create_app
from estate.billing.bills import generate_monthly_bills
from estate.billing.models import Bill, FeeItem, Payment
from estate.bookings.models import ServiceItem
from estate.core.db import make_sessionmaker
from estate.messaging.models import Notice, OutboundMessage
from estate.residents.models import Unit
from tests.support.console import ROLES, console_world, sign_in


@pytest.fixture
async def world(ctx):
    w = await console_world(ctx)
    async with ctx.sessions() as s, s.begin():
        s.add(
            FeeItem(
                estate_id=w.estate.id,
                code="management",
                name="Management fee",
                kind="per_area",
                unit_price_cents=185,
            )
        )
        s.add(ServiceItem(estate_id=w.estate.id, code="cleaning", name="Home cleaning", price_cents=12000))
    async with ctx.sessions() as s, s.begin():
        await generate_monthly_bills(s, clock=ctx.clock, estate_id=w.estate.id, period="2026-10")
    return w


def client_for(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


PAGES = [
    ("fees", "/console/fees"),
    ("archive", "/console/units/1-101"),
    ("archive", "/console/residents?q=Zhang"),
    ("services", "/console/services"),
    ("notices", "/console/notices"),
    ("dashboard", "/console/dashboard"),
    ("reports", "/console/reports"),
    ("tickets", "/console/export/tickets.csv"),
]


@pytest.mark.parametrize("role", ROLES)
async def test_part_two_pages_by_role(ctx, world, role):
    async with client_for(create_app(ctx)) as c:
        csrf = await sign_in(c, role)
        for route, path in PAGES:
            r = await c.get(path)
            assert r.status_code == (200 if role in ROUTE_ROLES[route] else 403), (role, path, r.status_code)
        pay = await c.post(
            "/console/units/1-101/pay",
            data={"csrf": csrf, "amount": "1", "key": f"k-{role}", "method": "cash"},
        )
        assert (pay.status_code == 403) == (role not in ROUTE_ROLES["fees.pay"])
        notice = await c.post(  # to the arrears: estate-wide notices are for supervisors and above
            "/console/notices", data={"csrf": csrf, "title": "T", "body": "B", "target": "arrears"}
        )
        assert (notice.status_code == 403) == (role not in ROUTE_ROLES["notices"])


async def test_a_double_clicked_payment_counts_once_and_the_arrears_list_shrinks(ctx, world):
    async with client_for(create_app(ctx)) as c:
        csrf = await sign_in(c, "cashier")
        before = (await c.get("/console/fees")).text
        assert "1-101" in before and "¥163.73" in before
        unit = (await c.get("/console/units/1-101")).text
        key = re.search(r'name="key" value="([^"]+)"', unit).group(1)
        form = {"csrf": csrf, "amount": "163.73", "method": "wechat", "key": key}
        first = await c.post("/console/units/1-101/pay", data=form)
        second = await c.post("/console/units/1-101/pay", data=form)
        assert first.status_code == second.status_code == 303
        after = (await c.get("/console/fees")).text
    async with ctx.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(Payment))).scalar_one() == 1
        bill = (await s.execute(select(Bill))).scalar_one()
    assert bill.paid_cents == bill.amount_cents == 16373
    assert "/console/units/1-101" not in after


async def test_binding_slip_notice_booking_and_import(ctx, world, tmp_path):
    async with client_for(create_app(ctx)) as c:
        csrf = await sign_in(c, "manager")
        slip = await c.post("/console/units/1-101/binding-code", data={"csrf": csrf})
        code = re.search(r'id="code">([A-Z0-9]{8})<', slip.text).group(1)
        assert len(code) == 8
        r = await c.post(
            "/console/notices",
            data={"csrf": csrf, "title": "停水通知", "body": "明天停水", "target": "estate"},
        )
        assert r.status_code == 303
        progress = (await c.get("/console/notices")).text
        assert "停水通知" in progress and "<progress" in progress
        r = await c.post(
            "/console/import",
            data={"csrf": csrf, "kind": "residents"},
            files={
                "file": ("r.csv", "unit,name,phone\n1-101,李四,13912345678\n9-9,错,1\n".encode(), "text/csv")
            },
        )
        assert r.status_code == 200 and "找不到该房号" in r.text  # unknown_unit, in words
    async with ctx.sessions() as s:
        notice = (await s.execute(select(Notice))).scalar_one()
        queued = (
            await s.execute(
                select(func.count())
                .select_from(OutboundMessage)
                .where(OutboundMessage.notice_id == notice.id)
            )
        ).scalar_one()
    assert queued == 1


async def test_reports_download_as_csv_and_xlsx(ctx, world):
    ctx.clock.set(ctx.clock.now().replace(day=28))
    async with client_for(create_app(ctx)) as c:
        csrf = await sign_in(c, "manager")
        assert (
            await c.post("/console/reports/make", data={"csrf": csrf, "kind": "arrears_report"})
        ).status_code == 303
        listing = (await c.get("/console/reports")).text
        report_id = re.search(r"/console/reports/(\d+)\?format=xlsx", listing).group(1)
        xlsx = await c.get(f"/console/reports/{report_id}?format=xlsx")
        csv_file = await c.get(f"/console/reports/{report_id}?format=csv")
        export = await c.get("/console/export/tickets.csv")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["房号", "住户", "欠费月份", "欠费金额", "最长逾期天数"]  # the manager reads Chinese
    assert rows[1][:4] == ["1-101", "Zhang San", "2026-10", 163.73]
    parsed = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig"))))
    assert parsed[1][0] == "1-101" and parsed[-1][0] == "合计"
    assert export.status_code == 200 and export.content.decode("utf-8-sig").startswith("工单号,类型")


async def test_dashboard_figures_equal_the_database_for_the_demo_estate(sqlite_engine, settings, clock):
    from estate.core.context import Context
    from estate.demo.seed import seed_demo

    ctx = Context(
        settings=settings, engine=sqlite_engine, sessions=make_sessionmaker(sqlite_engine), clock=clock
    )
    await seed_demo(ctx, password="demo-password")
    async with client_for(create_app(ctx)) as c:
        await sign_in(c, "manager", "demo-password")
        html = (await c.get("/console/dashboard")).text

    def kpi(name: str) -> str:
        return re.search(rf'id="kpi-{name}"[^>]*>([^<]+)<', html).group(1)

    now = clock.now()
    local_midnight = "2026-11-21 16:00:00"  # 22 Nov 00:00 in Beijing, as stored (UTC)
    async with ctx.sessions() as s:
        q = lambda sql, **p: s.execute(text(sql), p)  # noqa: E731
        today_new = (
            await q("select count(*) from tickets where created_at >= :m", m=local_midnight)
        ).scalar_one()
        overdue = (
            await q(
                "select count(*) from tickets where (status in ('new','claimed') and dispatch_due < :n) or "
                "(status in ('new','claimed','dispatched','in_progress') and resolve_due < :n)",
                n=now.replace(tzinfo=None),
            )
        ).scalar_one()
        sums = {
            p: (await q("select sum(amount_cents), sum(paid_cents) from bills where period = :p", p=p)).one()
            for p in ("2026-11", "2026-10", "2026-09")
        }
        answered, happy = (
            await q("select count(*), sum(case when overall >= 4 then 1 else 0 end) from surveys")
        ).one()
    assert int(kpi("new")) == today_new
    assert int(kpi("overdue")) == overdue
    for i, period in enumerate(("2026-11", "2026-10", "2026-09")):
        due, paid = sums[period]
        assert kpi(f"collection-{i}") == f"{paid / due * 100:.1f}%"
    assert kpi("satisfaction") == f"{happy / answered * 100:.1f}%"
    assert date(2026, 11, 22) == now.date()


async def _bills_of(ctx, period: str) -> int:
    async with ctx.sessions() as s:
        return (await s.execute(select(func.count()).select_from(Bill).where(Bill.period == period))).scalar_one()


@pytest.mark.parametrize(
    ("period", "says"),
    [
        ("2027-06", "Bills can be issued only for 2026-11 or 2026-12"),
        ("2026-09", "Bills can be issued only for 2026-11 or 2026-12"),
        ("2026-13", "“2026-13” is not a month"),
    ],
)
async def test_bills_by_hand_only_for_this_month_or_the_next(ctx, world, period, says):
    """Staff issue bills for the current or the next month only; anything else is refused with a reason."""
    async with client_for(create_app(ctx)) as c:
        csrf = await sign_in(c, "cashier")
        c.cookies.set("desk_console_lang", "en")
        refused = await c.post("/console/fees/generate", data={"csrf": csrf, "period": period})
        assert refused.status_code == 400
        assert says in refused.text
        assert await _bills_of(ctx, period) == 0
        issued = await c.post(
            "/console/fees/generate", data={"csrf": csrf, "period": "2026-12", "confirm": "yes"}
        )
        assert issued.status_code == 200 and "bills issued for 2026-12" in issued.text
    async with ctx.sessions() as s:
        units = (await s.execute(select(func.count()).select_from(Unit))).scalar_one()
    assert units > 0 and await _bills_of(ctx, "2026-12") == units
