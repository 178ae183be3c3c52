"""A ticket's work after dispatch: started, resolved (a callback falls due), closed, or reopened."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.errors import ValidationFailed
from estate.core.rules import DEFAULT_RULES, ServiceRules
from estate.tickets.escalation import escalate
from estate.tickets.models import CallbackStatus, CallbackTask, Ticket, TicketStatus
from estate.tickets.sla import new_deadlines
from estate.tickets.timeline import locked, take, transition


async def start_work(session: AsyncSession, *, clock: Clock, ticket_id: int, staff_id: int) -> Ticket:
    """The technician (or staff) starts the work."""
    return await take(session, "start", clock=clock, ticket_id=ticket_id, staff_id=staff_id)


async def close_ticket(
    session: AsyncSession, *, clock: Clock, ticket_id: int, staff_id: int, note: str | None = None
) -> Ticket:
    """Close a resolved ticket (after its callback, or by a supervisor's decision)."""
    return await take(session, "close", clock=clock, ticket_id=ticket_id, staff_id=staff_id, text=note)


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
    ticket = await locked(session, ticket_id)
    changes = {"result": result, "assignee_id": ticket.assignee_id or staff_id}
    await transition(session, ticket, "resolve", clock=clock, staff_id=staff_id, changes=changes, text=result)
    session.add(
        CallbackTask(
            ticket_id=ticket.id,
            round=ticket.reopen_count + 1,
            due_at=now + timedelta(hours=rules.callback_hours),
            status=CallbackStatus.PENDING,
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
    rules: ServiceRules = DEFAULT_RULES,
) -> Ticket:
    """Reopen a resolved or closed ticket when the resident is not satisfied; it goes back to the queue.

    A reason is required (it is the timeline's record of why); a blank one is refused. The reopened ticket
    starts a new round with new deadlines counted from now, and its escalations start again at the agent:
    the old round's breaches are history and do not fire again (escalations are unique per round)."""
    if not reason.strip():
        raise ValidationFailed("reopen_needs_reason")
    now = clock.now()
    ticket = await locked(session, ticket_id)
    keep_assignee = ticket.assignee_id is not None and not escalate_to_supervisor
    changes: dict[str, Any] = {
        "reopen_count": ticket.reopen_count + 1,
        "resolved_at": None,
        "closed_at": None,
        "escalation_level": 0,
        **await new_deadlines(session, ticket, now=now, rules=rules),
    }
    if escalate_to_supervisor:
        changes["assignee_id"] = None
    to = TicketStatus.CLAIMED if keep_assignee else TicketStatus.NEW
    await transition(
        session,
        ticket,
        "reopen",
        clock=clock,
        staff_id=staff_id,
        resident_id=resident_id,
        to=to,
        changes=changes,
        text=reason,
    )
    await session.execute(
        update(CallbackTask)
        .where(CallbackTask.ticket_id == ticket.id, CallbackTask.status == CallbackStatus.PENDING)
        .values(status=CallbackStatus.DONE, done_at=now, result_text="reopened")
    )
    if escalate_to_supervisor:
        await escalate(session, ticket, at=now, level=1, reason="low_rating")
    return ticket
