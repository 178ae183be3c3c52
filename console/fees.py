"""Fees (收费): arrears with the age of each debt, collection rates against the 80 / 90 / 100 % targets,
monthly bills and reminders by hand."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, Response

from console.app import page_for
from console.web import Page, estate_of
from estate.billing.bills import generate_monthly_bills
from estate.billing.collection import collection_rates
from estate.billing.debts import arrears
from estate.billing.periods import check_issuable, period_of
from estate.billing.reminders import remind_by_hand
from estate.core.errors import NotFound, ValidationFailed

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
    """Issue the month's bills by hand: this month or the next only; anything else is refused with a reason."""
    estate = await estate_of(page)
    today = page.ctx.clock.now().astimezone(page.ctx.tz_for(estate)).date()
    try:
        month = check_issuable(period, today=today)
    except ValidationFailed as refused:
        return page.render("error.html", status=400, code=refused.code, params=refused.params)
    await generate_monthly_bills(page.session, clock=page.ctx.clock, estate_id=estate.id, period=month)
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
