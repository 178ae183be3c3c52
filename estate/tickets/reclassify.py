"""Staff correcting a ticket's kind or category: deadlines follow, and the model learns from it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.rules import DEFAULT_RULES, ServiceRules
from estate.tickets.categories import require_category
from estate.tickets.models import Ticket, TicketStatus
from estate.tickets.sla import dispatch_deadline, estate_timezone, resolve_deadline
from estate.tickets.timeline import locked, transition
from estate.tickets.transitions import check


async def _follow_deadlines(session: AsyncSession, ticket: Ticket, kind: str, rules: ServiceRules) -> None:
    """Set the deadlines of the new kind (the dispatch deadline only while the ticket waits for dispatch)."""
    tz = await estate_timezone(session, ticket.estate_id)
    if ticket.status in (TicketStatus.NEW, TicketStatus.CLAIMED):
        ticket.dispatch_due = dispatch_deadline(
            kind=kind, urgency=ticket.urgency, created_at=ticket.created_at, tz=tz, rules=rules
        )
    ticket.resolve_due = resolve_deadline(kind=kind, created_at=ticket.created_at, tz=tz, rules=rules)


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

    require_category(kind, category_code)
    ticket = await locked(session, ticket_id)
    before = {"kind": ticket.kind, "category": ticket.category}
    after = {"kind": kind, "category": category_code}
    if before == after:
        return ticket
    check(ticket, "reclassify")
    if kind != ticket.kind:
        await _follow_deadlines(session, ticket, kind, rules)
    change = {"from": before, "to": after}
    await transition(
        session,
        ticket,
        "reclassify",
        clock=clock,
        staff_id=staff_id,
        changes=after,
        data=change,
        detail=change,
    )
    await record_correction(
        session, ticket=ticket, kind=kind, category=category_code, staff_id=staff_id, at=clock.now()
    )
    return ticket
