"""The satisfaction rate (客户满意率): the share of surveys rated 4 or 5, against the rules' target."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.rules import DEFAULT_RULES, ServiceRules
from estate.tickets.models import Survey, Ticket

SATISFIED_FROM = 4  # a rating of 4 or 5 counts as satisfied (满意), the scale itself rather than a rule


@dataclass(frozen=True)
class Satisfaction:
    answered: int
    satisfied: int
    target: float = DEFAULT_RULES.satisfaction_target

    @property
    def rate(self) -> float | None:
        return self.satisfied / self.answered if self.answered else None

    @property
    def met(self) -> bool | None:
        return None if self.rate is None else self.rate >= self.target


async def satisfaction_rate(
    session: AsyncSession,
    *,
    estate_id: int | None,
    since: datetime,
    until: datetime,
    rules: ServiceRules = DEFAULT_RULES,
) -> Satisfaction:
    """Share of surveys answered in [since, until) whose overall rating is 4 or 5 (客户满意率), and the target."""
    stmt = select(func.count(), func.count().filter(Survey.overall >= SATISFIED_FROM)).select_from(Survey)
    stmt = stmt.where(Survey.answered_at >= since, Survey.answered_at < until)
    if estate_id is not None:
        # EXISTS rather than a join, so the plan starts from the surveys in the window (their answered_at
        # index) instead of every ticket of the estate
        of_estate = select(Ticket.id).where(Ticket.id == Survey.ticket_id, Ticket.estate_id == estate_id)
        stmt = stmt.where(of_estate.exists())
    answered, satisfied = (await session.execute(stmt)).one()
    return Satisfaction(
        answered=int(answered), satisfied=int(satisfied or 0), target=rules.satisfaction_target
    )
