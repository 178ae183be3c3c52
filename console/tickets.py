"""The ticket desk: the queue (filters, sorting, keyset pages, SLA badges) and the ticket page with its actions."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Form, Query
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlalchemy import and_, or_, select

from console import auth
from console.app import page_for
from console.labels import KIND_LABELS
from console.web import Page
from estate.core.errors import NotFound
from estate.core.rules import DEFAULT_RULES, ServiceRules
from estate.residents.models import Building, Unit
from estate.staff.models import Department, Role, Staff
from estate.staff.service import technicians
from estate.tickets import queries as ticket_queries
from estate.tickets.assignment import ClaimConflict, claim_ticket, dispatch_ticket
from estate.tickets.categories import CATEGORIES
from estate.tickets.messages import add_note, add_staff_reply
from estate.tickets.models import (
    Attachment,
    Escalation,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketStatus,
)
from estate.tickets.notify import DEPARTMENT_LABELS, STATUS_LABELS
from estate.tickets.phrases import find_forbidden, standard_phrases
from estate.tickets.progress import close_ticket, reopen_ticket, resolve_ticket, start_work
from estate.tickets.reclassify import reclassify_ticket
from estate.tickets.transitions import OPEN_STATUSES, allowed_actions

PAGE_SIZE = 50
S = TicketStatus


def sla_badge(
    ticket: Ticket, now: datetime, rules: ServiceRules = DEFAULT_RULES
) -> tuple[str, datetime | None]:
    """(ok | near | breached | none, the deadline that counts now)."""
    due = (
        ticket.dispatch_due
        if ticket.status in (S.NEW, S.CLAIMED)
        else ticket.resolve_due
        if ticket.status in OPEN_STATUSES
        else None
    )
    if due is None:
        return "none", None
    if now > due:
        return "breached", due
    if due - now <= rules.near_breach:
        return "near", due
    return "ok", due


def ticket_actions(ticket: Ticket, staff: Staff) -> list[str]:
    """The actions the ticket page offers: those the status machine allows and the staff member's role may use."""
    return [
        a
        for a in allowed_actions(ticket)
        if f"ticket.{a}" in auth.ROUTE_ROLES and auth.allowed(f"ticket.{a}", staff)
    ]


async def _visible(page: Page, ticket_id: int) -> Ticket:
    ticket = await page.session.get(Ticket, ticket_id)
    if ticket is None or (page.staff.role == Role.TECHNICIAN and ticket.technician_id != page.staff.id):
        raise NotFound("ticket_not_found")  # technicians see only their own work
    return ticket


def _cursor(after: str) -> tuple[datetime, int] | None:
    """The (created_at, id) of a "next page" link; a mangled one is ignored (the first page is shown)."""
    at_raw, _, id_raw = (after or "").replace(" ", "+").rpartition("_")
    try:
        at = datetime.fromisoformat(at_raw)
    except ValueError:
        return None
    return (at, int(id_raw)) if id_raw.isdigit() and at.tzinfo is not None else None


def stored_file(data_dir: Path, relative: str) -> Path | None:
    """The attachment's file, if it exists inside the data directory."""
    root = Path(data_dir).resolve()
    path = (root / relative).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


def register(app: FastAPI, ctx) -> None:
    async def queue_rows(
        page: Page,
        *,
        kind: str,
        status: str,
        category: str,
        building: str,
        mine: bool,
        overdue: bool,
        sort: str,
        after: str,
    ) -> tuple[list, str | None]:
        now = page.ctx.clock.now()
        stmt = (
            select(Ticket, Unit.code, Staff.display_name)
            .outerjoin(Unit, Unit.id == Ticket.unit_id)
            .outerjoin(Staff, Staff.id == Ticket.assignee_id)
        )
        if page.staff.role == Role.TECHNICIAN:
            stmt = stmt.where(Ticket.technician_id == page.staff.id)
        if status == "open" or not status:
            stmt = stmt.where(Ticket.status.in_(list(OPEN_STATUSES)))
        elif status != "all":
            stmt = stmt.where(Ticket.status == status)
        if kind:
            stmt = stmt.where(Ticket.kind == kind)
        if category:
            stmt = stmt.where(Ticket.category == category)
        if building.isdigit():
            stmt = stmt.where(Ticket.building_id == int(building))
        if mine:
            stmt = stmt.where(or_(Ticket.assignee_id == page.staff.id, Ticket.technician_id == page.staff.id))
        if overdue:
            stmt = stmt.where(ticket_queries.overdue_filter(now))
        # Keyset pagination on (created_at, id): every page costs the same, however deep, on 100,000 tickets.
        newest_first = sort != "oldest"
        cursor_at = _cursor(after)
        if cursor_at is not None:
            at, tid = cursor_at
            stmt = stmt.where(
                or_(Ticket.created_at < at, and_(Ticket.created_at == at, Ticket.id < tid))
                if newest_first
                else or_(Ticket.created_at > at, and_(Ticket.created_at == at, Ticket.id > tid))
            )
        order = (
            (Ticket.created_at.desc(), Ticket.id.desc()) if newest_first else (Ticket.created_at, Ticket.id)
        )
        rows = (await page.session.execute(stmt.order_by(*order).limit(PAGE_SIZE + 1))).all()
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        cursor = f"{rows[-1][0].created_at.isoformat()}_{rows[-1][0].id}" if more and rows else None
        return [(t, code, who, *sla_badge(t, now, page.ctx.rules)) for t, code, who in rows], cursor

    @app.get("/tickets", response_class=HTMLResponse)
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
        rows, cursor = await queue_rows(
            page,
            kind=kind,
            status=status,
            category=category,
            building=building,
            mine=mine,
            overdue=overdue,
            sort=sort,
            after=after,
        )
        filters = {
            "kind": kind,
            "status": status,
            "category": category,
            "building": building,
            "mine": mine,
            "overdue": overdue,
            "sort": sort,
        }
        values: dict[str, Any] = dict(rows=rows, cursor=cursor, filters=filters, status_labels=STATUS_LABELS)
        if fragment:
            return page.render("_rows.html", **values)
        buildings = (await page.session.execute(select(Building).order_by(Building.id))).scalars().all()
        categories = sorted({(c.code, c.label) for cats in CATEGORIES.values() for c in cats})
        return page.render(
            "tickets.html",
            buildings=buildings,
            categories=categories,
            kinds=list(TicketKind),
            statuses=list(S),
            **values,
        )

    async def show(page: Page, ticket: Ticket, status: int = 200, **extra) -> HTMLResponse:
        s = page.session
        events = (
            await s.execute(
                select(TicketEvent, Staff.display_name)
                .outerjoin(Staff, Staff.id == TicketEvent.staff_id)
                .where(TicketEvent.ticket_id == ticket.id)
                .order_by(TicketEvent.id)
            )
        ).all()
        photos = (
            (
                await s.execute(
                    select(Attachment).where(Attachment.ticket_id == ticket.id).order_by(Attachment.id)
                )
            )
            .scalars()
            .all()
        )
        escalations = (
            (
                await s.execute(
                    select(Escalation).where(Escalation.ticket_id == ticket.id).order_by(Escalation.id)
                )
            )
            .scalars()
            .all()
        )
        unit = await s.get(Unit, ticket.unit_id) if ticket.unit_id else None
        assignee = await s.get(Staff, ticket.assignee_id) if ticket.assignee_id else None
        tech = await s.get(Staff, ticket.technician_id) if ticket.technician_id else None
        from estate.residents.models import Estate, Resident

        resident = await s.get(Resident, ticket.resident_id) if ticket.resident_id else None
        estate = await s.get(Estate, ticket.estate_id)
        badge, due = sla_badge(ticket, page.ctx.clock.now(), page.ctx.rules)
        return page.render(
            "ticket.html",
            status=status,
            ticket=ticket,
            actions=ticket_actions(ticket, page.staff),
            events=events,
            photos=photos,
            escalations=escalations,
            unit=unit,
            assignee=assignee,
            tech=tech,
            resident=resident,
            badge=badge,
            due=due,
            status_labels=STATUS_LABELS,
            departments=[(d.value, DEPARTMENT_LABELS[d]) for d in Department],
            classifications=[(kind, KIND_LABELS[kind], CATEGORIES[kind]) for kind in TicketKind],
            technicians=await technicians(s),
            phrases=standard_phrases(page.locale, estate=estate.name if estate else ""),
            **extra,
        )

    @app.get("/tickets/{ticket_id}", response_class=HTMLResponse)
    async def ticket_page(
        ticket_id: int, page: Page = Depends(page_for("ticket"), scope="function")
    ) -> HTMLResponse:
        return await show(page, await _visible(page, ticket_id))

    @app.post("/tickets/{ticket_id}/claim", response_class=HTMLResponse)
    async def claim(
        ticket_id: int, page: Page = Depends(page_for("ticket.claim", write=True), scope="function")
    ) -> Response:
        try:
            await claim_ticket(
                page.session, clock=page.ctx.clock, ticket_id=ticket_id, staff_id=page.staff.id
            )
        except ClaimConflict as exc:
            ticket = await _visible(page, ticket_id)
            return await show(
                page, ticket, status=409, claim_lost=exc.winner.display_name if exc.winner else "?"
            )
        return page.redirect(f"/tickets/{ticket_id}")

    @app.post("/tickets/{ticket_id}/dispatch")
    async def dispatch(
        ticket_id: int,
        department: str = Form(...),
        technician: str = Form(""),
        page: Page = Depends(page_for("ticket.dispatch", write=True), scope="function"),
    ) -> Response:
        await dispatch_ticket(
            page.session,
            clock=page.ctx.clock,
            ticket_id=ticket_id,
            staff_id=page.staff.id,
            department=department,
            technician_id=int(technician) if technician.isdigit() else None,
            rules=page.ctx.rules,
        )
        return page.redirect(f"/tickets/{ticket_id}")

    @app.post("/tickets/{ticket_id}/reply", response_class=HTMLResponse)
    async def reply(
        ticket_id: int,
        text: str = Form(""),
        page: Page = Depends(page_for("ticket.reply", write=True), scope="function"),
    ) -> Response:
        matches = find_forbidden(text, locale=page.locale)
        if matches:
            ticket = await _visible(page, ticket_id)
            return await show(page, ticket, status=422, refused=text, forbidden=matches)
        await add_staff_reply(
            page.session, clock=page.ctx.clock, ticket_id=ticket_id, staff_id=page.staff.id, text=text
        )
        return page.redirect(f"/tickets/{ticket_id}")

    @app.post("/tickets/{ticket_id}/reclassify")
    async def reclassify(
        ticket_id: int,
        classification: str = Form(""),
        page: Page = Depends(page_for("ticket.reclassify", write=True), scope="function"),
    ) -> Response:
        await _visible(page, ticket_id)
        kind, _, code = classification.partition(":")
        await reclassify_ticket(
            page.session,
            clock=page.ctx.clock,
            ticket_id=ticket_id,
            staff_id=page.staff.id,
            kind=kind,
            category_code=code,
            rules=page.ctx.rules,
        )
        return page.redirect(f"/tickets/{ticket_id}")

    @app.post("/tickets/{ticket_id}/note")
    async def note(
        ticket_id: int,
        text: str = Form(""),
        page: Page = Depends(page_for("ticket.note", write=True), scope="function"),
    ) -> Response:
        await _visible(page, ticket_id)
        await add_note(
            page.session, clock=page.ctx.clock, ticket_id=ticket_id, staff_id=page.staff.id, text=text
        )
        return page.redirect(f"/tickets/{ticket_id}")

    @app.post("/tickets/{ticket_id}/start")
    async def start(
        ticket_id: int, page: Page = Depends(page_for("ticket.start", write=True), scope="function")
    ) -> Response:
        await _visible(page, ticket_id)
        await start_work(page.session, clock=page.ctx.clock, ticket_id=ticket_id, staff_id=page.staff.id)
        return page.redirect(f"/tickets/{ticket_id}")

    @app.post("/tickets/{ticket_id}/resolve")
    async def resolve(
        ticket_id: int,
        result: str = Form(""),
        page: Page = Depends(page_for("ticket.resolve", write=True), scope="function"),
    ) -> Response:
        await _visible(page, ticket_id)
        await resolve_ticket(
            page.session,
            clock=page.ctx.clock,
            ticket_id=ticket_id,
            staff_id=page.staff.id,
            result=result,
            rules=page.ctx.rules,
        )
        return page.redirect(f"/tickets/{ticket_id}")

    @app.post("/tickets/{ticket_id}/reopen")
    async def reopen(
        ticket_id: int,
        reason: str = Form(""),
        page: Page = Depends(page_for("ticket.reopen", write=True), scope="function"),
    ) -> Response:
        await reopen_ticket(
            page.session,
            clock=page.ctx.clock,
            ticket_id=ticket_id,
            staff_id=page.staff.id,
            reason=reason or "-",
        )
        return page.redirect(f"/tickets/{ticket_id}")

    @app.post("/tickets/{ticket_id}/close")
    async def close(
        ticket_id: int, page: Page = Depends(page_for("ticket.close", write=True), scope="function")
    ) -> Response:
        await close_ticket(page.session, clock=page.ctx.clock, ticket_id=ticket_id, staff_id=page.staff.id)
        return page.redirect(f"/tickets/{ticket_id}")

    @app.get("/attachments/{attachment_id}")
    async def attachment(
        attachment_id: int,
        page: Page = Depends(page_for("attachment"), scope="function"),
        download: bool = Query(False),
    ) -> Response:
        row = await page.session.get(Attachment, attachment_id)
        if row is None or row.ticket_id is None:
            return Response(status_code=404)
        await _visible(page, row.ticket_id)
        path = stored_file(page.ctx.settings.data_dir, row.path)
        if path is None:
            return Response(status_code=404)
        return FileResponse(
            path, media_type=row.content_type, headers={"Cache-Control": "private, max-age=3600"}
        )
