"""Fees (收费): arrears by building with the age of each debt, collection rates against the 80 / 90 / 100 %
targets, and reminders by hand. The other fee pages have modules of their own, included here: issuing and
voiding bills (`fee_bills`), the payment notice (`fee_notice`) and imports (`fee_imports`)."""

from __future__ import annotations

from itertools import groupby

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, Response

from console import fee_bills, fee_imports, fee_notice
from console.app import page_for
from console.web import Page, estate_of
from estate.billing.collection import collection_rates
from estate.billing.debts import arrears
from estate.billing.periods import period_of
from estate.billing.reminders import remind_by_hand
from estate.core.errors import NotFound
from estate.residents.service import buildings_of

router = APIRouter()
for part in (fee_bills, fee_notice, fee_imports):
    router.include_router(part.router)


@router.get("/fees", response_class=HTMLResponse)
async def fees(
    building: int | None = None, page: Page = Depends(page_for("fees"), scope="function")
) -> HTMLResponse:
    """Arrears grouped by building (one building with `?building=<id>`), largest debts first in each."""
    estate = await estate_of(page)
    today = page.ctx.clock.now().astimezone(page.ctx.tz_for(estate)).date()
    rows = await arrears(page.session, estate_id=estate.id, as_of=today, building_id=building)
    buildings = await buildings_of(page.session, estate_id=estate.id)
    order = {b.name: i for i, b in enumerate(buildings)}
    rows.sort(key=lambda r: order.get(r.building, len(order)))  # stable: largest debts first in each building
    groups = [(name, list(members)) for name, members in groupby(rows, key=lambda r: r.building)]
    rates = await collection_rates(page.session, estate_id=estate.id, as_of=today)
    return page.render(
        "fees/arrears.html",
        groups=groups,
        rates=rates,
        period=period_of(today),
        total=sum(r.total_cents for r in rows),
        units=len(rows),
        buildings=buildings,
        building=building,
    )


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
