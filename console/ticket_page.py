"""The ticket page: the ticket, its timeline, photos and escalations, and the actions this staff member may take."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse, HTMLResponse, Response

from console import auth
from console.app import page_for
from console.labels import KIND_LABELS
from console.web import Page
from estate.activity.reads import TICKET, mark_read
from estate.staff.models import Department, Staff
from estate.staff.service import technicians
from estate.tickets.assignment import may_dispatch
from estate.tickets.categories import CATEGORIES
from estate.tickets.detail import ticket_detail, visible_attachment
from estate.tickets.models import Ticket, TicketKind
from estate.tickets.notify import DEPARTMENT_LABELS, STATUS_LABELS
from estate.tickets.phrases import standard_phrases
from estate.tickets.queries import visible_ticket
from estate.tickets.transitions import allowed_actions

router = APIRouter()


def ticket_actions(ticket: Ticket, staff: Staff) -> list[str]:
    """The actions the ticket page offers: those the status machine allows and the staff member's role may use
    (dispatching a claimed ticket: its claimer or a supervisor and above)."""
    return [
        a
        for a in allowed_actions(ticket, staff.role)
        if f"ticket.{a}" in auth.ROUTE_ROLES
        and auth.allowed(f"ticket.{a}", staff)
        and (a != "dispatch" or may_dispatch(ticket, staff))
    ]


async def visible(page: Page, ticket_id: int) -> Ticket:
    """The ticket, if this staff member may see it (NotFound otherwise)."""
    return await visible_ticket(page.session, viewer=page.staff, ticket_id=ticket_id)


async def show(page: Page, ticket: Ticket, status: int = 200, **extra: Any) -> HTMLResponse:
    """The ticket page (with `extra` values: a lost claim, a refused reply)."""
    detail = await ticket_detail(page.session, ticket, now=page.ctx.clock.now(), rules=page.ctx.rules)
    return page.render(
        "ticket.html",
        status=status,
        actions=ticket_actions(ticket, page.staff),
        status_labels=STATUS_LABELS,
        departments=[(d.value, DEPARTMENT_LABELS[d]) for d in Department],
        classifications=[(kind, KIND_LABELS[kind], CATEGORIES[kind]) for kind in TicketKind],
        technicians=await technicians(page.session),
        phrases=standard_phrases(page.locale, estate=detail.estate.name if detail.estate else ""),
        **vars(detail),
        **extra,
    )


@router.get("/tickets/{ticket_id}", response_class=HTMLResponse)
async def ticket_page(
    ticket_id: int, page: Page = Depends(page_for("ticket"), scope="function")
) -> HTMLResponse:
    ticket = await visible(page, ticket_id)
    await mark_read(page.session, staff_id=page.staff.id, subject=TICKET, subject_id=ticket.id, at=page.ctx.clock.now())
    return await show(page, ticket)


def stored_file(data_dir: Path, relative: str) -> Path | None:
    """The attachment's file, if it exists inside the data directory."""
    root = Path(data_dir).resolve()
    path = (root / relative).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


@router.get("/attachments/{attachment_id}")
async def attachment(
    attachment_id: int,
    page: Page = Depends(page_for("attachment"), scope="function"),
    download: bool = Query(False),
) -> Response:
    row = await visible_attachment(page.session, viewer=page.staff, attachment_id=attachment_id)
    path = stored_file(page.ctx.settings.data_dir, row.path) if row else None
    if row is None or path is None:
        return Response(status_code=404)
    return FileResponse(path, media_type=row.content_type, headers={"Cache-Control": "private, max-age=3600"})
