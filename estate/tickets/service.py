"""Tickets: repairs, complaints, inquiries and suggestions, from report to callback.

Status flow (DESIGN §2): new -> claimed -> dispatched -> in_progress -> resolved -> callback_done ->
closed; reopened from resolved, callback_done or closed. The table of it is `estate.tickets.transitions`; every
status change goes through its `transition()` and writes the append-only timeline.
Complaints are never deleted: there is no delete here at all (事事有记录，事事有结果).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.errors import Conflict, NotFound, RateLimited, ValidationFailed
from estate.residents.models import Estate, Resident, Unit
from estate.staff.audit import audit
from estate.staff.models import Role, Staff
from estate.tickets import notify
from estate.tickets.models import (
    Attachment,
    CallbackTask,
    Escalation,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketStatus,
    Urgency,
)
from estate.tickets.phrases import ForbiddenMatch, find_forbidden
from estate.tickets.queries import get_ticket
from estate.tickets.refs import next_ref
from estate.tickets.sla import (
    DEFAULT_RULES,
    ServiceRules,
    category,
    default_urgency,
    dispatch_deadline,
    resolve_deadline,
)
from estate.tickets.transitions import TRANSITIONS, check, record_event, transition

S = TicketStatus


class ClaimConflict(Conflict):
    """Somebody else claimed the ticket first; `winner` says who."""

    def __init__(self, winner: Staff | None) -> None:
        super().__init__("already_claimed", winner=winner.display_name if winner else None)
        self.winner = winner


class ForbiddenPhraseError(ValidationFailed):
    """A staff reply contains a forbidden phrase (服务忌语); `matches` say which and offer alternatives."""

    def __init__(self, matches: list[ForbiddenMatch]) -> None:
        super().__init__("forbidden_phrase", phrases=[m.phrase for m in matches])
        self.matches = matches


async def _estate_tz(session: AsyncSession, estate_id: int) -> ZoneInfo:
    estate = await session.get(Estate, estate_id)
    return ZoneInfo(estate.timezone if estate else "Asia/Shanghai")


async def _locked(session: AsyncSession, ticket_id: int) -> Ticket:
    """Load a ticket fresh from the database (and lock its row on PostgreSQL) for a state change."""
    stmt = select(Ticket).where(Ticket.id == ticket_id).execution_options(populate_existing=True)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    ticket = (await session.execute(stmt)).scalar_one_or_none()
    if ticket is None:
        raise NotFound("ticket_not_found", ref=str(ticket_id))
    return ticket


async def create_ticket(
    session: AsyncSession,
    *,
    clock: Clock,
    estate_id: int,
    kind: str,
    category_code: str,
    description: str,
    resident_id: int | None = None,
    unit_id: int | None = None,
    location_text: str | None = None,
    urgency: str | None = None,
    major: bool = False,
    preferred_window: str | None = None,
    channel_account_id: int | None = None,
    attachment_ids: Sequence[int] = (),
    staff_id: int | None = None,
    rules: ServiceRules = DEFAULT_RULES,
) -> Ticket:
    """Open a ticket with its reference number and deadlines; a major complaint goes to the supervisor at once."""
    if kind not in set(TicketKind):
        raise ValidationFailed("bad_kind", kind=kind)
    if category(kind, category_code) is None:
        raise ValidationFailed("bad_category", category=category_code)
    description = (description or "").strip()
    if not description:
        raise ValidationFailed("empty_description")
    now = clock.now()
    tz = await _estate_tz(session, estate_id)
    if resident_id is not None and unit_id is None and not location_text:
        resident = await session.get(Resident, resident_id)
        unit_id = resident.unit_id if resident else None
    building_id = None
    if unit_id is not None:
        unit = await session.get(Unit, unit_id)
        building_id = unit.building_id if unit else None
    urgency = urgency or default_urgency(kind, category_code)
    if urgency not in set(Urgency):
        raise ValidationFailed("bad_urgency", urgency=urgency)
    ticket = Ticket(
        ref=await next_ref(session, kind=kind, at=now, tz=tz),
        estate_id=estate_id,
        kind=kind,
        category=category_code,
        unit_id=unit_id,
        building_id=building_id,
        location_text=location_text,
        description=description,
        urgency=urgency,
        major=major and kind == TicketKind.COMPLAINT,
        preferred_window=preferred_window,
        status=S.NEW,
        resident_id=resident_id,
        channel_account_id=channel_account_id,
        created_at=now,
        updated_at=now,
        dispatch_due=dispatch_deadline(kind=kind, urgency=urgency, created_at=now, tz=tz, rules=rules),
        resolve_due=resolve_deadline(kind=kind, created_at=now, tz=tz, rules=rules),
        escalation_level=0,
        reopen_count=0,
    )
    session.add(ticket)
    await session.flush()
    event = await record_event(
        session,
        ticket,
        at=now,
        kind="created",
        staff_id=staff_id,
        resident_id=resident_id,
        text=description,
        data={"urgency": urgency, "category": category_code},
    )
    if attachment_ids:
        await _attach(session, ticket, event, attachment_ids)
    if ticket.major:
        await escalate(session, ticket, at=now, level=1, reason="major")
    if staff_id is not None:
        await audit(
            session,
            clock=clock,
            staff_id=staff_id,
            action="ticket.create",
            target_type="ticket",
            target_id=ticket.ref,
        )
    return ticket


async def _attach(
    session: AsyncSession, ticket: Ticket, event: TicketEvent, attachment_ids: Sequence[int]
) -> None:
    await session.execute(
        update(Attachment)
        .where(Attachment.id.in_(list(attachment_ids)), Attachment.ticket_id.is_(None))
        .values(ticket_id=ticket.id, event_id=event.id)
    )
    event.data = {**(event.data or {}), "attachments": list(attachment_ids)}


async def escalate(
    session: AsyncSession, ticket: Ticket, *, at: datetime, level: int, reason: str
) -> Escalation | None:
    """Record an escalation once per (ticket, level, reason); None when it was recorded before."""
    existing = await session.execute(
        select(Escalation.id).where(
            Escalation.ticket_id == ticket.id, Escalation.level == level, Escalation.reason == reason
        )
    )
    if existing.first() is not None:
        return None
    to_role = Role.SUPERVISOR if level == 1 else Role.DEPUTY
    row = Escalation(ticket_id=ticket.id, level=level, reason=reason, to_role=to_role, at=at)
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:  # another process recorded the same escalation a moment ago
        return None
    ticket.escalation_level = max(ticket.escalation_level, level)
    await record_event(
        session, ticket, at=at, kind="escalated", data={"level": level, "reason": reason, "to_role": to_role}
    )
    return row


async def claim_ticket(session: AsyncSession, *, clock: Clock, ticket_id: int, staff_id: int) -> Ticket:
    """Take a new ticket; exactly one of several staff claiming at once wins, the others get ClaimConflict."""
    # One atomic conditional UPDATE takes the assignee: of several claims at once, exactly one matches.
    result = await session.execute(
        update(Ticket)
        .where(
            Ticket.id == ticket_id,
            Ticket.status.in_(list(TRANSITIONS["claim"].sources)),
            Ticket.assignee_id.is_(None),
        )
        .values(assignee_id=staff_id)
        .execution_options(synchronize_session=False)
    )
    ticket = await _locked(session, ticket_id)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        winner = await session.get(Staff, ticket.assignee_id) if ticket.assignee_id else None
        raise ClaimConflict(winner)
    await transition(
        session, ticket, "claim", clock=clock, staff_id=staff_id, changes={"claimed_at": clock.now()}
    )
    return ticket


async def dispatch_ticket(
    session: AsyncSession,
    *,
    clock: Clock,
    ticket_id: int,
    staff_id: int,
    department: str,
    technician_id: int | None = None,
    transferred: bool | None = None,
    rules: ServiceRules = DEFAULT_RULES,
) -> Ticket:
    """Pass the ticket to a department (and technician); a complaint passed outside the centre gets 3 days."""
    now = clock.now()
    ticket = await _locked(session, ticket_id)
    check(ticket, "dispatch")
    if technician_id is not None:
        tech = await session.get(Staff, technician_id)
        if tech is None or tech.role != Role.TECHNICIAN:
            raise ValidationFailed("bad_technician")
    if transferred is None:
        transferred = department != "service"
    ticket.department = department
    ticket.technician_id = technician_id
    ticket.assignee_id = ticket.assignee_id or staff_id
    ticket.claimed_at = ticket.claimed_at or now
    ticket.dispatched_at = now
    if ticket.kind == TicketKind.COMPLAINT:
        ticket.transferred = transferred
        tz = await _estate_tz(session, ticket.estate_id)
        ticket.resolve_due = resolve_deadline(
            kind=ticket.kind,
            created_at=ticket.created_at,
            tz=tz,
            transferred=transferred,
            dispatched_at=now,
            rules=rules,
        )
    await transition(
        session,
        ticket,
        "dispatch",
        clock=clock,
        staff_id=staff_id,
        data={"department": department, "technician_id": technician_id, "transferred": transferred},
        detail={"department": department, "technician_id": technician_id},
    )
    return ticket


async def start_work(session: AsyncSession, *, clock: Clock, ticket_id: int, staff_id: int) -> Ticket:
    """The technician (or staff) starts the work."""
    ticket = await _locked(session, ticket_id)
    await transition(
        session, ticket, "start", clock=clock, staff_id=staff_id, changes={"started_at": clock.now()}
    )
    return ticket


async def add_resident_message(
    session: AsyncSession,
    *,
    clock: Clock,
    ticket_id: int,
    resident_id: int | None,
    text: str | None = None,
    attachment_ids: Sequence[int] = (),
) -> TicketEvent:
    """A message (and/or photos) from the resident about the ticket, on its timeline."""
    if not (text and text.strip()) and not attachment_ids:
        raise ValidationFailed("empty_message")
    ticket = await get_ticket(session, ticket_id)
    ticket.updated_at = clock.now()
    event = await record_event(
        session,
        ticket,
        at=clock.now(),
        kind="message_in",
        resident_id=resident_id,
        text=(text or "").strip() or None,
    )
    if attachment_ids:
        await _attach(session, ticket, event, attachment_ids)
    return event


async def add_staff_reply(
    session: AsyncSession, *, clock: Clock, ticket_id: int, staff_id: int, text: str
) -> TicketEvent:
    """A reply to the resident; refused (ForbiddenPhraseError) when it contains a forbidden phrase."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("empty_message")
    matches = find_forbidden(text)
    if matches:
        raise ForbiddenPhraseError(matches)
    ticket = await get_ticket(session, ticket_id)
    ticket.updated_at = clock.now()
    event = await record_event(
        session, ticket, at=clock.now(), kind="message_out", staff_id=staff_id, text=text
    )
    await audit(
        session,
        clock=clock,
        staff_id=staff_id,
        action="ticket.reply",
        target_type="ticket",
        target_id=ticket.ref,
    )
    await notify.notify_reply(session, clock=clock, ticket=ticket, event=event)
    return event


async def add_note(
    session: AsyncSession, *, clock: Clock, ticket_id: int, staff_id: int, text: str
) -> TicketEvent:
    """An internal note; never sent to the resident."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("empty_message")
    ticket = await get_ticket(session, ticket_id)
    return await record_event(session, ticket, at=clock.now(), kind="note", staff_id=staff_id, text=text)


async def resolve_ticket(
    session: AsyncSession,
    *,
    clock: Clock,
    ticket_id: int,
    staff_id: int,
    result: str,
    rules: ServiceRules = DEFAULT_RULES,
) -> Ticket:
    """Record the result; a callback (回访) falls due 24 hours later."""
    result = (result or "").strip()
    if not result:
        raise ValidationFailed("empty_result")
    now = clock.now()
    ticket = await _locked(session, ticket_id)
    changes = {"result": result, "resolved_at": now, "assignee_id": ticket.assignee_id or staff_id}
    await transition(session, ticket, "resolve", clock=clock, staff_id=staff_id, changes=changes, text=result)
    session.add(
        CallbackTask(
            ticket_id=ticket.id,
            round=ticket.reopen_count + 1,
            due_at=now + timedelta(hours=rules.callback_hours),
            status="pending",
            created_at=now,
        )
    )
    await session.flush()
    return ticket


async def reopen_ticket(
    session: AsyncSession,
    *,
    clock: Clock,
    ticket_id: int,
    reason: str,
    staff_id: int | None = None,
    resident_id: int | None = None,
    escalate_to_supervisor: bool = False,
) -> Ticket:
    """Reopen a resolved or closed ticket when the resident is not satisfied; it goes back to the queue."""
    now = clock.now()
    ticket = await _locked(session, ticket_id)
    keep_assignee = ticket.assignee_id is not None and not escalate_to_supervisor
    changes: dict[str, Any] = {
        "reopen_count": ticket.reopen_count + 1,
        "resolved_at": None,
        "closed_at": None,
    }
    if escalate_to_supervisor:
        changes["assignee_id"] = None
    await transition(
        session,
        ticket,
        "reopen",
        clock=clock,
        staff_id=staff_id,
        resident_id=resident_id,
        to=S.CLAIMED if keep_assignee else S.NEW,
        changes=changes,
        text=reason,
    )
    await session.execute(
        update(CallbackTask)
        .where(CallbackTask.ticket_id == ticket.id, CallbackTask.status == "pending")
        .values(status="done", done_at=now, result_text="reopened")
    )
    if escalate_to_supervisor:
        await escalate(session, ticket, at=now, level=1, reason="low_rating")
    return ticket


async def close_ticket(
    session: AsyncSession, *, clock: Clock, ticket_id: int, staff_id: int, note: str | None = None
) -> Ticket:
    """Close a resolved ticket (after its callback, or by a supervisor's decision)."""
    ticket = await _locked(session, ticket_id)
    changes = {"closed_at": clock.now()}
    await transition(session, ticket, "close", clock=clock, staff_id=staff_id, changes=changes, text=note)
    return ticket


async def urge_ticket(
    session: AsyncSession,
    *,
    clock: Clock,
    ticket_id: int,
    resident_id: int | None,
    min_interval: timedelta = DEFAULT_RULES.urge_interval,
) -> TicketEvent:
    """The resident chases an open ticket (催单); at most once per `min_interval`, else RateLimited."""
    now = clock.now()
    ticket = await _locked(session, ticket_id)
    check(ticket, "urge")
    if ticket.last_urged_at is not None and now - ticket.last_urged_at < min_interval:
        wait = min_interval - (now - ticket.last_urged_at)
        raise RateLimited("urge_too_soon", minutes=max(1, math.ceil(wait.total_seconds() / 60)))
    event = await transition(
        session, ticket, "urge", clock=clock, resident_id=resident_id, changes={"last_urged_at": now}
    )
    assert event is not None  # the table gives urging a timeline event
    return event


async def reclassify_ticket(
    session: AsyncSession,
    *,
    clock: Clock,
    ticket_id: int,
    staff_id: int,
    kind: str,
    category_code: str,
    rules: ServiceRules = DEFAULT_RULES,
) -> Ticket:
    """Staff correct a ticket's kind or category: deadlines follow the new kind, and the resident's words
    with the corrected label become a training example for the estate's understanding model."""
    from estate.tickets.understanding import record_correction  # imported here: it loads scikit-learn

    if kind not in set(TicketKind):
        raise ValidationFailed("bad_kind", kind=kind)
    if category(kind, category_code) is None:
        raise ValidationFailed("bad_category", category=category_code)
    ticket = await _locked(session, ticket_id)
    before = {"kind": ticket.kind, "category": ticket.category}
    if before == {"kind": kind, "category": category_code}:
        return ticket
    check(ticket, "reclassify")
    if kind != ticket.kind:
        tz = await _estate_tz(session, ticket.estate_id)
        if ticket.status in (S.NEW, S.CLAIMED):
            ticket.dispatch_due = dispatch_deadline(
                kind=kind, urgency=ticket.urgency, created_at=ticket.created_at, tz=tz, rules=rules
            )
        ticket.resolve_due = resolve_deadline(kind=kind, created_at=ticket.created_at, tz=tz, rules=rules)
    change = {"from": before, "to": {"kind": kind, "category": category_code}}
    await transition(
        session,
        ticket,
        "reclassify",
        clock=clock,
        staff_id=staff_id,
        changes={"kind": kind, "category": category_code},
        data=change,
        detail=change,
    )
    await record_correction(
        session, ticket=ticket, kind=kind, category=category_code, staff_id=staff_id, at=clock.now()
    )
    return ticket
