"""The bell in the page header: how many new tickets, escalations and overdue callbacks wait."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from console.app import page_for
from console.web import Page
from estate.tickets.attention import bell_counts

router = APIRouter()


@router.get("/bell", response_class=HTMLResponse)
async def bell(page: Page = Depends(page_for("bell"), scope="function")) -> HTMLResponse:
    counts = await bell_counts(page.session, staff=page.staff, now=page.ctx.clock.now())
    return page.render("_bell.html", **counts._asdict())
