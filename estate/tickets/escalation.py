"""Escalation along the three levels of responsibility: 接待人 -> 客服主管 -> 主管副总经理 (DESIGN §3).

A breached dispatch deadline goes to the supervisor (level 1); a breached resolve deadline, or a
repair still unresolved `rules.repair_resolve_grace` after its dispatch deadline, goes to the deputy GM
(level 2). Each
escalation is recorded once (unique per ticket, level and reason), so the scan can run any number of
times, in any number of processes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.rules import DEFAULT_RULES, ServiceRules
from estate.tickets.models import Escalation, Ticket, TicketStatus
from estate.tickets.service import escalate
from estate.tickets.transitions import OPEN_STATUSES

S = TicketStatus


@dataclass(frozen=True)
class DueEscalation:
    ticket_id: int
    level: int
    reason: str


async def due_escalations(
    session: AsyncSession, *, now: datetime, rules: ServiceRules = DEFAULT_RULES
) -> list[DueEscalation]:
    """Escalations whose deadline has passed and that have not been recorded yet."""
    due: list[DueEscalation] = []
    undispatched = await session.execute(
        select(Ticket.id).where(
            Ticket.status.in_([S.NEW, S.CLAIMED]), Ticket.dispatch_due.is_not(None), Ticket.dispatch_due < now
        )
    )
    due += [DueEscalation(tid, 1, "dispatch_breach") for (tid,) in undispatched]
    unresolved = await session.execute(
        select(Ticket.id).where(
            Ticket.status.in_(list(OPEN_STATUSES)), Ticket.resolve_due.is_not(None), Ticket.resolve_due < now
        )
    )
    due += [DueEscalation(tid, 2, "resolve_breach") for (tid,) in unresolved]
    stale_repairs = await session.execute(
        select(Ticket.id).where(
            Ticket.status.in_(list(OPEN_STATUSES)),
            Ticket.resolve_due.is_(None),
            Ticket.dispatch_due.is_not(None),
            Ticket.dispatch_due < now - rules.repair_resolve_grace,
        )
    )
    due += [DueEscalation(tid, 2, "resolve_breach") for (tid,) in stale_repairs]
    if not due:
        return []
    done = await session.execute(
        select(Escalation.ticket_id, Escalation.level, Escalation.reason).where(
            Escalation.ticket_id.in_({d.ticket_id for d in due})
        )
    )
    recorded = {tuple(row) for row in done}
    return [d for d in due if (d.ticket_id, d.level, d.reason) not in recorded]


async def apply_escalations(
    session: AsyncSession, *, clock: Clock, rules: ServiceRules = DEFAULT_RULES
) -> list[Escalation]:
    """Record every due escalation once and return those newly recorded."""
    applied: list[Escalation] = []
    for due in await due_escalations(session, now=clock.now(), rules=rules):
        ticket = await session.get(Ticket, due.ticket_id)
        if ticket is None:
            continue
        row = await escalate(session, ticket, at=clock.now(), level=due.level, reason=due.reason)
        if row is not None:
            applied.append(row)
    return applied


async def open_escalations(
    session: AsyncSession, *, role: str, limit: int = 50
) -> list[tuple[Escalation, Ticket]]:
    """Escalations addressed to a role whose ticket is still open, newest first (for the staff bell)."""
    rows = await session.execute(
        select(Escalation, Ticket)
        .join(Ticket, and_(Ticket.id == Escalation.ticket_id))
        .where(Escalation.to_role == role, Ticket.status.in_(list(OPEN_STATUSES)))
        .order_by(Escalation.at.desc())
        .limit(limit)
    )
    return [(e, t) for e, t in rows.all()]
