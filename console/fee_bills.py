"""Issuing a month's bills by hand, after a preview and a confirmation, and voiding a bill issued by mistake.

Bills are issued for this month or the next only (in the estate's time); the preview says how many units, the
total and each fee item's share, and nothing is created until the staff member confirms."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, Response

from console.app import page_for
from console.labels import FEE_REFUSALS
from console.web import Page, estate_of
from estate.billing.bills import generate_monthly_bills
from estate.billing.periods import check_issuable
from estate.billing.preview import preview_monthly_bills
from estate.billing.void import void_bill
from estate.core.errors import DomainError, ValidationFailed

router = APIRouter()


async def _issuable(page: Page, period: str) -> str | HTMLResponse:
    """The month if bills may be issued for it now, else the page saying which months may be."""
    estate = await estate_of(page)
    today = page.ctx.clock.now().astimezone(page.ctx.tz_for(estate)).date()
    try:
        return check_issuable(period, today=today)
    except ValidationFailed as refused:
        return page.render("error.html", status=400, code=refused.code, params=refused.params)


async def _preview(page: Page, month: str) -> HTMLResponse:
    estate = await estate_of(page)
    preview = await preview_monthly_bills(page.session, estate_id=estate.id, period=month)
    return page.render("fees/preview.html", preview=preview)


@router.get("/fees/generate", response_class=HTMLResponse)
async def preview(
    period: str = "", page: Page = Depends(page_for("fees.generate"), scope="function")
) -> HTMLResponse:
    """What issuing the month's bills would do; the page's button confirms."""
    month = await _issuable(page, period)
    return month if isinstance(month, HTMLResponse) else await _preview(page, month)


@router.post("/fees/generate", response_class=HTMLResponse)
async def generate(
    period: str = Form(...),
    confirm: str = Form(""),
    page: Page = Depends(page_for("fees.generate", write=True), scope="function"),
) -> HTMLResponse:
    """Issue the month's bills once confirmed (`confirm=yes`); without it, the preview again."""
    month = await _issuable(page, period)
    if isinstance(month, HTMLResponse):
        return month
    if confirm != "yes":
        return await _preview(page, month)
    estate = await estate_of(page)
    before = await preview_monthly_bills(page.session, estate_id=estate.id, period=month)
    created = await generate_monthly_bills(
        page.session, clock=page.ctx.clock, estate_id=estate.id, period=month
    )
    total = before.total_cents if created == before.units else None  # another issue ran meanwhile: no sum
    return page.render("fees/generated.html", period=month, created=created, total=total, before=before)


@router.post("/fees/bills/{bill_id}/void")
async def void(
    bill_id: int,
    reason: str = Form(""),
    page: Page = Depends(page_for("fees.void", write=True), scope="function"),
) -> Response:
    """Void an unpaid bill with a reason (audited); a refusal says why, and nothing changes."""
    try:
        voided = await void_bill(
            page.session, clock=page.ctx.clock, bill_id=bill_id, staff_id=page.staff.id, reason=reason
        )
    except DomainError as refused:
        status = 404 if refused.code == "bill_not_found" else 400
        return page.render(
            "fees/refused.html",
            status=status,
            code=refused.code,
            params=refused.params,
            fee_refusals=FEE_REFUSALS,
        )
    return page.redirect(f"/units/{voided['unit']}")
