"""The ticket queue: filters, sorting and keyset pages (the rows refresh themselves every 15 seconds)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from console.app import page_for
from console.web import Page
from estate.tickets.models import TicketKind, TicketStatus
from estate.tickets.notify import STATUS_LABELS
from estate.tickets.queue import QueueFilters, queue_choices, search_tickets

PAGE_SIZE = 50  # rows a page

router = APIRouter()


@router.get("/tickets", response_class=HTMLResponse)
async def queue(
    page: Page = Depends(page_for("tickets"), scope="function"),
    kind: str = "",
    status: str = "open",
    category: str = "",
    building: str = "",
    mine: bool = False,
    overdue: bool = False,
    sort: str = "newest",
    after: str = "",
    fragment: bool = False,
) -> HTMLResponse:
    filters = QueueFilters(kind, status, category, building, mine, overdue, sort)
    rows, cursor = await search_tickets(
        page.session,
        viewer=page.staff,
        filters=filters,
        after=after,
        now=page.ctx.clock.now(),
        rules=page.ctx.rules,
        page_size=PAGE_SIZE,
    )
    values: dict[str, Any] = dict(rows=rows, cursor=cursor, filters=filters, status_labels=STATUS_LABELS)
    if fragment:
        return page.render("_rows.html", **values)
    buildings, categories = await queue_choices(page.session)
    return page.render(
        "tickets.html",
        buildings=buildings,
        categories=categories,
        kinds=list(TicketKind),
        statuses=list(TicketStatus),
        **values,
    )
