"""The front desk's register (来电来访登记): a phone call, a visit or a patrol entered as a ticket, with the
caller looked up by phone, unit or name; it lands in the queue with its deadlines like a chat ticket."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, Response

from console.app import page_for
from console.labels import SOURCE_LABELS
from console.web import Page, estate_of
from estate.core.errors import ValidationFailed
from estate.residents.models import Resident, Unit
from estate.residents.service import find_unit, normalise_phone, search_residents
from estate.tickets.categories import CATEGORIES
from estate.tickets.create import register_ticket
from estate.tickets.models import TicketKind
from locales import N_

REGISTERED_SOURCES = ("phone", "walk_in", "patrol")  # what the front desk enters (live chats convert themselves)
PROBLEMS = {
    "empty_description": N_("Please describe the request."),
    "bad_kind": N_("Please choose what the request is about."),
    "bad_category": N_("Please choose what the request is about."),
    "bad_source": N_("Please say how the request came in."),
    "unknown_unit": N_("There is no unit with that number."),
}

router = APIRouter()


def writer() -> Any:
    return Depends(page_for("tickets.register", write=True), scope="function")


async def callers(page: Page, who: str) -> list[tuple[Resident, Unit]]:
    """Residents matching the caller's phone (in any spelling), unit or name."""
    who = who.strip()
    if not who:
        return []
    estate = await estate_of(page)
    return await search_residents(page.session, estate_id=estate.id, query=normalise_phone(who) or who)


async def form(
    page: Page, *, who: str = "", status: int = 200, problem: str = "", **values: Any
) -> HTMLResponse:
    """The register page: the caller look-up and the ticket form (with what was typed, after a problem)."""
    return page.render(
        "register.html",
        status=status,
        who=who,
        found=await callers(page, who),
        sources={code: SOURCE_LABELS[code] for code in REGISTERED_SOURCES},
        kinds=[(kind, CATEGORIES[kind]) for kind in TicketKind],
        problem=PROBLEMS.get(problem, N_("The request could not be registered.")) if problem else "",
        typed=values,
    )


@router.get("/tickets/new", response_class=HTMLResponse)
async def new_ticket(
    page: Page = Depends(page_for("tickets.register"), scope="function"), who: str = ""
) -> HTMLResponse:
    return await form(page, who=who[:60])


@router.post("/tickets/new", response_class=HTMLResponse)
async def register(
    page: Page = writer(),
    who: str = Form(""),
    source: str = Form("phone"),
    resident: str = Form(""),
    unit: str = Form(""),
    place: str = Form(""),
    what: str = Form(""),
    urgency: str = Form(""),
    description: str = Form(""),
) -> Response:
    typed = dict(source=source, resident=resident, unit=unit, place=place, what=what, urgency=urgency)
    kind, _, category = what.partition(":")
    try:
        unit_id = await _unit_id(page, unit)
        ticket = await register_ticket(
            page.session,
            clock=page.ctx.clock,
            estate_id=(await estate_of(page)).id,
            staff_id=page.staff.id,
            source=source,
            kind=kind,
            category_code=category,
            description=description,
            resident_id=int(resident) if resident.isdigit() else None,
            unit_id=unit_id,
            location_text=place.strip() or None,
            urgency="urgent" if urgency == "urgent" else None,
            rules=page.ctx.rules,
        )
    except ValidationFailed as exc:
        return await form(page, who=who, status=422, problem=exc.code, description=description, **typed)
    return page.redirect(f"/tickets/{ticket.id}")


async def _unit_id(page: Page, code: str) -> int | None:
    """The unit typed in (for a caller not in the archive, or a place other than their home)."""
    if not code.strip():
        return None
    unit = await find_unit(page.session, code)
    if unit is None:
        raise ValidationFailed("unknown_unit", unit=code)
    return unit.id
