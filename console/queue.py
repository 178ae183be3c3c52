"""The ticket queue: search, filters, SLA-first order and numbered pages (the rows refresh themselves every 15
seconds, on the page being read), unread markers, filters a staff member saves, and bulk claim or assign for
the leads."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from console.app import page_for
from console.web import Page
from estate.core.errors import DomainError
from estate.staff.models import Role, Staff
from estate.staff.service import all_staff
from estate.tickets.assignment import claim_ticket
from estate.tickets.models import TicketKind, TicketStatus
from estate.tickets.notify import STATUS_LABELS
from estate.tickets.queue import SORTS, QueueFilters, queue_choices, search_tickets
from estate.tickets.sla import time_left

PAGE_SIZE = 50  # rows a page
FILTER_FIELDS = ("q", "kind", "status", "category", "building", "mine", "overdue", "sort")
SAVED_COOKIE = "desk_queue_{staff_id}"  # one per staff member, so a shared front-desk PC keeps each one's
ASSIGNABLE = (Role.AGENT, Role.SUPERVISOR)

router = APIRouter()


def filters_from(params: dict[str, str]) -> QueueFilters:
    """The queue's filters from a query string (anything unknown or malformed means "any")."""
    page, sort = params.get("page", "1"), params.get("sort", "sla")
    return QueueFilters(
        kind=params.get("kind", ""),
        status=params.get("status", "open") or "open",
        category=params.get("category", ""),
        building=params.get("building", ""),
        mine=params.get("mine") == "true",
        overdue=params.get("overdue") == "true",
        sort=sort if sort in SORTS else "sla",
        q=params.get("q", "").strip()[:100],
        page=int(page) if page.isdigit() else 1,
    )


def query_of(filters: QueueFilters, **change: Any) -> str:
    """The query string that shows these filters (with `change` applied: another page, the fragment)."""
    values = {name: getattr(filters, name) for name in (*FILTER_FIELDS, "page")} | change
    kept = {k: ("true" if v is True else v) for k, v in values.items() if v not in ("", False, None)}
    return urlencode(kept)


def saved_params(request: Request, staff_id: int) -> dict[str, str]:
    """The filters this staff member saved, used when the queue is opened without any."""
    raw = request.cookies.get(SAVED_COOKIE.format(staff_id=staff_id), "")
    return {k: v for k, v in parse_qsl(raw) if k in FILTER_FIELDS}


@router.get("/tickets", response_class=HTMLResponse)
async def queue(
    request: Request, page: Page = Depends(page_for("tickets"), scope="function"), fragment: bool = False
) -> HTMLResponse:
    params = dict(request.query_params)
    if not set(params) & {*FILTER_FIELDS, "page", "fragment"}:
        params = saved_params(request, page.staff.id)
    filters = filters_from(params)
    rows, more = await search_tickets(
        page.session,
        viewer=page.staff,
        filters=filters,
        now=page.ctx.clock.now(),
        rules=page.ctx.rules,
        page_size=PAGE_SIZE,
    )
    values: dict[str, Any] = dict(
        rows=rows,
        more=more,
        filters=filters,
        status_labels=STATUS_LABELS,
        query_of=query_of,
        time_left=time_left,
        bulk=page.staff.role in (Role.SUPERVISOR, Role.MANAGER, Role.DEPUTY, Role.ADMIN),
    )
    if fragment:
        return page.render("_rows.html", **values)
    response = page.render("tickets.html", **values, **await _choices(page, values["bulk"]))
    _remember(response, request, page, filters)
    return response


async def _choices(page: Page, bulk: bool) -> dict[str, Any]:
    """What the filter form and the bulk form offer."""
    buildings, categories = await queue_choices(page.session)
    people = [s for s in await all_staff(page.session) if s.active and s.role in ASSIGNABLE] if bulk else []
    return dict(
        buildings=buildings,
        categories=categories,
        kinds=list(TicketKind),
        statuses=list(TicketStatus),
        assignable=people,
    )


def _remember(response: Response, request: Request, page: Page, filters: QueueFilters) -> None:
    """Save the filters as this staff member's own (the form's "save" button), or forget them ("reset")."""
    name = SAVED_COOKIE.format(staff_id=page.staff.id)
    if request.query_params.get("save"):
        response.set_cookie(
            name,
            query_of(filters, page=None),
            max_age=365 * 86400,
            httponly=True,
            samesite="lax",
            path="/console",
        )
    elif request.query_params.get("reset"):
        response.delete_cookie(name, path="/console")


@router.post("/tickets/bulk")
async def bulk(
    page: Page = Depends(page_for("tickets.bulk", write=True), scope="function"),
    ids: list[int] = Form(default_factory=list),
    assignee: str = Form(""),
    back: str = Form(""),
) -> Response:
    """Claim the chosen new tickets for oneself, or (with an assignee) for an agent; those someone holds
    already are left as they are."""
    chosen = await page.session.get(Staff, int(assignee)) if assignee.isdigit() else None
    staff_id = chosen.id if chosen and chosen.active and chosen.role in ASSIGNABLE else page.staff.id
    for ticket_id in ids[:PAGE_SIZE]:
        try:
            async with page.session.begin_nested():
                await claim_ticket(page.session, clock=page.ctx.clock, ticket_id=ticket_id, staff_id=staff_id)
        except DomainError:
            continue
    return page.redirect("/tickets" + (f"?{back}" if back and not back.startswith(("/", "?")) else ""))
