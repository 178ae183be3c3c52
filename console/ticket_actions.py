"""What staff do on a ticket page: claim, dispatch, reply, reclassify, note, mark a complaint major, start,
resolve, reopen and close."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, Response

from console.app import page_for
from console.ticket_page import show, visible
from console.web import Page
from estate.core.errors import DomainError, ValidationFailed
from estate.tickets.assignment import ClaimConflict, NotYourClaim, claim_ticket, dispatch_ticket
from estate.tickets.major import mark_major
from estate.tickets.messages import add_note, add_staff_reply
from estate.tickets.phrases import find_forbidden
from estate.tickets.progress import close_ticket, reopen_ticket, resolve_ticket, start_work
from estate.tickets.reclassify import reclassify_ticket

router = APIRouter()


def writer(action: str) -> Any:
    """The dependency of a ticket action: a Page of a staff member whose role may take it, with a good CSRF token."""
    return Depends(page_for(f"ticket.{action}", write=True), scope="function")


async def act(
    page: Page,
    ticket_id: int,
    action: Callable[..., Awaitable[Any]],
    *,
    seen_first: bool = False,
    **values: Any,
) -> Response:
    """Take the action as this staff member (checking first that they may see the ticket, if asked), then go
    back to the ticket page."""
    if seen_first:
        await visible(page, ticket_id)
    await action(page.session, clock=page.ctx.clock, ticket_id=ticket_id, staff_id=page.staff.id, **values)
    return page.redirect(f"/tickets/{ticket_id}")


@router.post("/tickets/{ticket_id}/claim", response_class=HTMLResponse)
async def claim(ticket_id: int, page: Page = writer("claim")) -> Response:
    try:
        return await act(page, ticket_id, claim_ticket)
    except ClaimConflict as exc:
        ticket = await visible(page, ticket_id)
        return await show(page, ticket, status=409, claim_lost=exc.winner.display_name if exc.winner else "?")


@router.post("/tickets/{ticket_id}/dispatch")
async def dispatch(
    ticket_id: int, department: str = Form(...), technician: str = Form(""), page: Page = writer("dispatch")
) -> Response:
    technician_id = int(technician) if technician.isdigit() else None
    try:
        return await act(
            page,
            ticket_id,
            dispatch_ticket,
            seen_first=True,
            department=department,
            technician_id=technician_id,
            rules=page.ctx.rules,
        )
    except NotYourClaim as refused:  # another agent's claim: say whose
        return refusal(page, refused, status=409)


def refusal(page: Page, refused: DomainError, *, status: int) -> Response:
    """The error page with the refusal's sentence (console.labels.REFUSALS) filled with its params."""
    return page.render("error.html", status=status, code=refused.code, params=refused.params)


@router.post("/tickets/{ticket_id}/major")
async def major(ticket_id: int, page: Page = writer("major")) -> Response:
    try:
        return await act(page, ticket_id, mark_major, seen_first=True)
    except DomainError as refused:
        return refusal(page, refused, status=409)


@router.post("/tickets/{ticket_id}/reply", response_class=HTMLResponse)
async def reply(ticket_id: int, text: str = Form(""), page: Page = writer("reply")) -> Response:
    matches = find_forbidden(text, locale=page.locale)
    if matches:
        ticket = await visible(page, ticket_id)
        return await show(page, ticket, status=422, refused=text, forbidden=matches)
    return await act(page, ticket_id, add_staff_reply, text=text)


@router.post("/tickets/{ticket_id}/reclassify")
async def reclassify(
    ticket_id: int, classification: str = Form(""), page: Page = writer("reclassify")
) -> Response:
    kind, _, code = classification.partition(":")
    return await act(
        page,
        ticket_id,
        reclassify_ticket,
        seen_first=True,
        kind=kind,
        category_code=code,
        rules=page.ctx.rules,
    )


@router.post("/tickets/{ticket_id}/note")
async def note(ticket_id: int, text: str = Form(""), page: Page = writer("note")) -> Response:
    return await act(page, ticket_id, add_note, seen_first=True, text=text)


@router.post("/tickets/{ticket_id}/start")
async def start(ticket_id: int, page: Page = writer("start")) -> Response:
    return await act(page, ticket_id, start_work, seen_first=True)


@router.post("/tickets/{ticket_id}/resolve")
async def resolve(ticket_id: int, result: str = Form(""), page: Page = writer("resolve")) -> Response:
    return await act(page, ticket_id, resolve_ticket, seen_first=True, result=result, rules=page.ctx.rules)


@router.post("/tickets/{ticket_id}/reopen")
async def reopen(ticket_id: int, reason: str = Form(""), page: Page = writer("reopen")) -> Response:
    try:
        return await act(page, ticket_id, reopen_ticket, reason=reason.strip(), rules=page.ctx.rules)
    except ValidationFailed as refused:
        return page.render("error.html", status=400, code=refused.code, params=refused.params)


@router.post("/tickets/{ticket_id}/close")
async def close(ticket_id: int, page: Page = writer("close")) -> Response:
    return await act(page, ticket_id, close_ticket)
