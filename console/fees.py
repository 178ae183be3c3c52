"""Fees (收费): arrears with the age of each debt, a unit's bills and payments, recording payments, monthly
bills, imports, reminders by hand, and collection rates against the 80 / 90 / 100 % targets."""

from __future__ import annotations

import contextlib
import secrets
import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from console.app import page_for
from console.web import Page
from estate.billing import imports as billing_import
from estate.billing.bills import generate_monthly_bills
from estate.billing.collection import collection_rates
from estate.billing.debts import arrears
from estate.billing.models import Bill, BillLine
from estate.billing.money import yuan_to_cents
from estate.billing.payments import record_payment
from estate.billing.periods import period_of
from estate.billing.reminders import remind_by_hand
from estate.billing.statements import unit_statement
from estate.bookings.queries import bookings_for_resident
from estate.core.errors import DomainError, NotFound
from estate.core.tables import read_table
from estate.messaging.accounts import accounts_of_unit
from estate.residents import archive
from estate.residents.binding import unbind
from estate.residents.codes import issue_binding_code
from estate.residents.models import Estate
from estate.residents.service import find_unit, residents_of_unit, search_residents, vacant_units
from estate.tickets.queries import list_tickets

IMPORTERS = {
    "units": archive.import_units,
    "residents": archive.import_residents,
    "bills": billing_import.import_bills,
    "payments": billing_import.import_payments,
}


async def estate_of(page: Page) -> Estate:
    estate = (await page.session.execute(select(Estate).order_by(Estate.id).limit(1))).scalar_one()
    return estate


router = APIRouter()


@router.get("/fees", response_class=HTMLResponse)
async def fees(page: Page = Depends(page_for("fees"), scope="function")) -> HTMLResponse:
    estate = await estate_of(page)
    today = page.ctx.clock.now().astimezone(page.tz).date()
    rows = await arrears(page.session, estate_id=estate.id, as_of=today)
    rates = await collection_rates(page.session, estate_id=estate.id, as_of=today)
    return page.render(
        "fees/arrears.html",
        rows=rows,
        rates=rates,
        period=period_of(today),
        total=sum(r.total_cents for r in rows),
    )


@router.post("/fees/generate")
async def generate(
    period: str = Form(...), page: Page = Depends(page_for("fees.generate", write=True), scope="function")
) -> Response:
    estate = await estate_of(page)
    with contextlib.suppress(ValueError):
        await generate_monthly_bills(
            page.session, clock=page.ctx.clock, estate_id=estate.id, period=period.strip()
        )
    return page.redirect("/fees")


@router.post("/fees/remind")
async def remind(
    unit: str | None = Form(None),
    page: Page = Depends(page_for("fees.remind", write=True), scope="function"),
) -> Response:
    """No `unit` field: everyone in arrears; a `unit` field (even blank) names the one unit to remind."""
    estate = await estate_of(page)
    settings = page.ctx.settings
    try:
        await remind_by_hand(
            page.session,
            clock=page.ctx.clock,
            estate_id=estate.id,
            tz=settings.tz,
            quiet=page.ctx.rules_for(estate).quiet(settings.tz),
            unit_code=unit,
        )
    except NotFound as exc:
        return page.render("error.html", status=404, code=exc.code, params=exc.params)
    return page.redirect(f"/units/{unit.strip().upper()}" if unit is not None else "/fees")


@router.get("/units/{code}", response_class=HTMLResponse)
async def unit_page(code: str, page: Page = Depends(page_for("archive"), scope="function")) -> HTMLResponse:
    s = page.session
    unit = await find_unit(s, code)
    if unit is None:
        return page.render("error.html", status=404, code="unit_not_found")
    today = page.ctx.clock.now().astimezone(page.tz).date()
    statement = await unit_statement(s, unit_id=unit.id, as_of=today, payments_limit=24)
    bills = (
        (await s.execute(select(Bill).where(Bill.unit_id == unit.id).order_by(Bill.period.desc())))
        .scalars()
        .all()
    )
    lines = {
        b.id: (await s.execute(select(BillLine).where(BillLine.bill_id == b.id).order_by(BillLine.id)))
        .scalars()
        .all()
        for b in bills
    }
    residents = await residents_of_unit(s, unit.id)
    bookings = [
        row for r in residents for row in await bookings_for_resident(s, resident_id=r.id, include_past=True)
    ]
    tickets = [t for r in residents for t in await list_tickets(s, resident_id=r.id, limit=20)]
    return page.render(
        "fees/unit.html",
        unit=unit,
        statement=statement,
        bills=bills,
        lines=lines,
        residents=residents,
        bookings=bookings,
        tickets=tickets,
        bindings=await accounts_of_unit(s, unit_id=unit.id),
        pay_key=secrets.token_urlsafe(16),
    )


@router.post("/units/{code}/pay", response_class=HTMLResponse)
async def pay(
    code: str,
    amount: str = Form(...),
    method: str = Form("cash"),
    key: str = Form(...),
    note: str = Form(""),
    page: Page = Depends(page_for("fees.pay", write=True), scope="function"),
) -> Response:
    unit = await find_unit(page.session, code)
    if unit is None:
        return page.render("error.html", status=404, code="unit_not_found")
    try:
        cents = yuan_to_cents(amount)
        await record_payment(
            page.session,
            clock=page.ctx.clock,
            unit_id=unit.id,
            amount_cents=cents,
            method=method,
            staff_id=page.staff.id,
            idempotency_key=f"console:{key}",
            note=note or None,
        )
    except DomainError as exc:
        return page.render("error.html", status=422, code=exc.code)
    return page.redirect(f"/units/{unit.code}")


@router.post("/units/{code}/binding-code", response_class=HTMLResponse)
async def binding_slip(
    code: str, page: Page = Depends(page_for("archive.binding", write=True), scope="function")
) -> Response:
    unit = await find_unit(page.session, code)
    if unit is None:
        return page.render("error.html", status=404, code="unit_not_found")
    from datetime import timedelta

    hours = page.ctx.settings.binding_code_ttl_hours
    secret = await issue_binding_code(
        page.session,
        clock=page.ctx.clock,
        unit_id=unit.id,
        secret=page.ctx.settings.secret_key,
        staff_id=page.staff.id,
        ttl=timedelta(hours=hours),
    )
    estate = await page.session.get(Estate, unit.estate_id)
    residents = await residents_of_unit(page.session, unit.id)
    return page.render(
        "fees/slip.html",
        unit=unit,
        code=secret,
        estate=estate,
        resident=residents[0] if residents else None,
        expires=page.ctx.clock.now() + timedelta(hours=hours),
    )


@router.post("/units/{code}/unbind/{account_id}")
async def unbind_account(
    code: str,
    account_id: int,
    page: Page = Depends(page_for("archive.binding", write=True), scope="function"),
) -> Response:
    await unbind(page.session, clock=page.ctx.clock, account_id=account_id, staff_id=page.staff.id)
    return page.redirect(f"/units/{code}")


@router.get("/residents", response_class=HTMLResponse)
async def residents(q: str = "", page: Page = Depends(page_for("archive"), scope="function")) -> HTMLResponse:
    estate = await estate_of(page)
    found = await search_residents(page.session, estate_id=estate.id, query=q) if q.strip() else []
    return page.render(
        "fees/residents.html",
        q=q,
        found=found,
        vacant=await vacant_units(page.session, estate_id=estate.id),
    )


@router.post("/import", response_class=HTMLResponse)
async def import_file(
    kind: str = Form(...),
    file: UploadFile = File(...),
    page: Page = Depends(page_for("archive.import", write=True), scope="function"),
) -> Response:
    if kind not in IMPORTERS:
        return page.render("error.html", status=422, code="bad_kind")
    suffix = Path(file.filename or "x.csv").suffix.lower()
    data = await file.read(page.ctx.settings.max_upload_bytes)
    with tempfile.NamedTemporaryFile(suffix=suffix if suffix in (".csv", ".xlsx") else ".csv") as tmp:
        tmp.write(data)
        tmp.flush()
        try:
            rows = read_table(tmp.name)
        except Exception:
            return page.render("fees/import.html", status=422, kind=kind, unreadable=True)
    estate = await estate_of(page)
    report = await IMPORTERS[kind](page.session, clock=page.ctx.clock, estate_id=estate.id, rows=rows)
    return page.render("fees/import.html", kind=kind, report=report)
