"""The printable payment notice (缴费通知单) of one unit: the estate, the unit and its residents, the bills owed by
month and item, the total, how to pay and the customer service centre's phone."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from console.app import page_for
from console.web import Page
from estate.billing.payment_notice import payment_notice
from estate.core.errors import NotFound

router = APIRouter()


@router.get("/fees/notice/{code}", response_class=HTMLResponse)
async def notice(code: str, page: Page = Depends(page_for("fees"), scope="function")) -> HTMLResponse:
    today = page.ctx.clock.now().astimezone(page.tz).date()
    try:
        found = await payment_notice(page.session, unit_code=code, as_of=today)
    except NotFound as missing:
        return page.render("error.html", status=404, code=missing.code, params=missing.params)
    return page.render("fees/notice.html", notice=found)
