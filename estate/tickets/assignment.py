"""Who handles a ticket: staff claim it from the queue and dispatch it to a department and technician.

A claimed ticket is the claimer's: only they, or a supervisor and above, dispatch it (`may_dispatch`).
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.errors import Conflict, ValidationFailed
from estate.core.rules import DEFAULT_RULES, ServiceRules
from estate.staff.models import Role, Staff
from estate.tickets.models import Ticket, TicketKind
from estate.tickets.sla import estate_timezone, resolve_deadline
from estate.tickets.timeline import locked, transition
from estate.tickets.transitions import LEADS, TRANSITIONS, check


class ClaimConflict(Conflict):
    """Somebody else claimed the ticket first; `winner` says who."""

    def __init__(self, winner: Staff | None) -> None:
        super().__init__("already_claimed", winner=winner.display_name if winner else None)
        self.winner = winner


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
    ticket = await locked(session, ticket_id)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        winner = await session.get(Staff, ticket.assignee_id) if ticket.assignee_id else None
        raise ClaimConflict(winner)
    await transition(session, ticket, "claim", clock=clock, staff_id=staff_id)
    return ticket


class NotYourClaim(Conflict):
    """Another staff member claimed the ticket: only they or a supervisor and above dispatch it."""

    code = "not_your_claim"


def may_dispatch(ticket: Ticket, staff: Staff) -> bool:
    """Whether `staff` may dispatch the ticket: nobody claimed it, they did, or they are a supervisor or above."""
    return ticket.assignee_id is None or ticket.assignee_id == staff.id or staff.role in LEADS


async def _check_dispatcher(session: AsyncSession, ticket: Ticket, staff_id: int) -> None:
    staff = await session.get(Staff, staff_id)
    if staff is None or not may_dispatch(ticket, staff):
        claimer = await session.get(Staff, ticket.assignee_id) if ticket.assignee_id else None
        raise NotYourClaim(name=claimer.display_name if claimer else "?")


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
    ticket = await locked(session, ticket_id)
    check(ticket, "dispatch")
    await _check_dispatcher(session, ticket, staff_id)
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
    if ticket.kind == TicketKind.COMPLAINT:
        ticket.transferred = transferred
        ticket.resolve_due = resolve_deadline(
            kind=ticket.kind,
            created_at=ticket.created_at,
            tz=await estate_timezone(session, ticket.estate_id),
            transferred=transferred,
            dispatched_at=now,
            rules=rules,
        )
    people = {"department": department, "technician_id": technician_id}
    data = {**people, "transferred": transferred}
    await transition(session, ticket, "dispatch", clock=clock, staff_id=staff_id, data=data, detail=people)
    return ticket
