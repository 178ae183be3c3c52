"""A unit's page in the console: its statement, bills, residents, bookings and tickets; recording a payment;
printing a binding slip and unbinding a chat account."""

from __future__ import annotations

import secrets
from datetime import timedelta

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, Response

from console.app import page_for
from console.web import Page
from estate.billing.money import yuan_to_cents
from estate.billing.payments import record_payment
from estate.billing.statements import bills_with_lines, unit_statement
from estate.billing.void import voided_bills
from estate.bookings.queries import bookings_for_resident
from estate.core.errors import DomainError
from estate.messaging.accounts import accounts_of_unit
from estate.residents.binding import unbind
from estate.residents.codes import issue_binding_code
from estate.residents.models import Estate
from estate.residents.service import find_unit, residents_of_unit
from estate.tickets.queries import list_tickets

router = APIRouter()


@router.get("/units/{code}", response_class=HTMLResponse)
async def unit_page(code: str, page: Page = Depends(page_for("archive"), scope="function")) -> HTMLResponse:
    s = page.session
    unit = await find_unit(s, code)
    if unit is None:
        return page.render("error.html", status=404, code="unit_not_found")
    today = page.ctx.clock.now().astimezone(page.tz).date()
    statement = await unit_statement(s, unit_id=unit.id, as_of=today, payments_limit=24)
    bills, lines = await bills_with_lines(s, unit_id=unit.id)
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
        voided=await voided_bills(s, unit_code=unit.code),
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
