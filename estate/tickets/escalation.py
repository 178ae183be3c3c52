"""Escalation along the three levels of responsibility: 接待人 -> 客服主管 -> 主管副总经理 (DESIGN §3).

A major complaint, or a low rating, goes to the supervisor (level 1) at once. A breached dispatch deadline
goes to the supervisor; a breached resolve deadline, or a repair still unresolved
`rules.repair_resolve_grace` after its dispatch deadline, goes to the deputy GM (level 2). Each escalation
is recorded once per round (unique per ticket, level, reason and round: a reopened ticket starts a new round
with new deadlines), so the scan can run any number of times, in any number of processes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.rules import DEFAULT_RULES, ServiceRules
from estate.staff.models import Role
from estate.tickets.models import Escalation, Ticket, TicketStatus
from estate.tickets.timeline import record_event
from estate.tickets.transitions import OPEN_STATUSES

S = TicketStatus


async def escalate(
    session: AsyncSession, ticket: Ticket, *, at: datetime, level: int, reason: str
) -> Escalation | None:
    """Record an escalation once per (ticket, level, reason) in the ticket's round (its reopen count); None
    when it was recorded before."""
    existing = await session.execute(
        select(Escalation.id).where(
            Escalation.ticket_id == ticket.id,
            Escalation.level == level,
            Escalation.reason == reason,
            Escalation.round == ticket.reopen_count,
        )
    )
    if existing.first() is not None:
        return None
    to_role = Role.SUPERVISOR if level == 1 else Role.DEPUTY
    row = Escalation(
        ticket_id=ticket.id, level=level, reason=reason, to_role=to_role, at=at, round=ticket.reopen_count
    )
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


@dataclass(frozen=True)
class DueEscalation:
    ticket_id: int
    level: int
    reason: str


async def _ids(session: AsyncSession, *conditions: ColumnElement[bool]) -> list[int]:
    return list((await session.execute(select(Ticket.id).where(*conditions))).scalars())


async def due_escalations(
    session: AsyncSession, *, now: datetime, rules: ServiceRules = DEFAULT_RULES, estate_id: int | None = None
) -> list[DueEscalation]:
    """Escalations whose deadline has passed and that have not been recorded yet (of one estate if given)."""
    scope = [Ticket.estate_id == estate_id] if estate_id is not None else []
    still_open = Ticket.status.in_(list(OPEN_STATUSES))
    undispatched = await _ids(
        session,
        *scope,
        Ticket.status.in_([S.NEW, S.CLAIMED]),
        Ticket.dispatch_due.is_not(None),
        Ticket.dispatch_due < now,
    )
    unresolved = await _ids(
        session, *scope, still_open, Ticket.resolve_due.is_not(None), Ticket.resolve_due < now
    )
    stale_repairs = await _ids(
        session,
        *scope,
        still_open,
        Ticket.resolve_due.is_(None),
        Ticket.dispatch_due.is_not(None),
        Ticket.dispatch_due < now - rules.repair_resolve_grace,
    )
    due = [DueEscalation(tid, 1, "dispatch_breach") for tid in undispatched]
    due += [DueEscalation(tid, 2, "resolve_breach") for tid in unresolved + stale_repairs]
    if not due:
        return []
    # Recorded already in the ticket's current round (a reopened ticket starts a new round).
    done = await session.execute(
        select(Escalation.ticket_id, Escalation.level, Escalation.reason)
        .join(Ticket, Ticket.id == Escalation.ticket_id)
        .where(Escalation.ticket_id.in_({d.ticket_id for d in due}), Escalation.round == Ticket.reopen_count)
    )
    recorded = {tuple(row) for row in done}
    return [d for d in due if (d.ticket_id, d.level, d.reason) not in recorded]


async def apply_escalations(
    session: AsyncSession, *, clock: Clock, rules: ServiceRules = DEFAULT_RULES, estate_id: int | None = None
) -> list[Escalation]:
    """Record every due escalation once (of one estate if given) and return those newly recorded."""
    applied: list[Escalation] = []
    for due in await due_escalations(session, now=clock.now(), rules=rules, estate_id=estate_id):
        ticket = await session.get(Ticket, due.ticket_id)
        if ticket is None:
            continue
        row = await escalate(session, ticket, at=clock.now(), level=due.level, reason=due.reason)
        if row is not None:
            applied.append(row)
    return applied
