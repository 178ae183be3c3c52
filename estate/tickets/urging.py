"""The resident chasing an open ticket (催单), at most once per the rules' urge interval."""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from estate.activity import feed
from estate.core.clock import Clock
from estate.core.errors import RateLimited
from estate.core.rules import DEFAULT_RULES
from estate.tickets.models import TicketEvent
from estate.tickets.timeline import locked, transition
from estate.tickets.transitions import check


async def urge_ticket(
    session: AsyncSession,
    *,
    clock: Clock,
    ticket_id: int,
    resident_id: int | None,
    min_interval: timedelta = DEFAULT_RULES.urge_interval,
) -> TicketEvent:
    """The resident chases an open ticket; at most once per `min_interval`, else RateLimited."""
    now = clock.now()
    ticket = await locked(session, ticket_id)
    check(ticket, "urge")
    if ticket.last_urged_at is not None and now - ticket.last_urged_at < min_interval:
        wait = min_interval - (now - ticket.last_urged_at)
        raise RateLimited("urge_too_soon", minutes=max(1, math.ceil(wait.total_seconds() / 60)))
    event = await transition(session, ticket, "urge", clock=clock, resident_id=resident_id)
    assert event is not None  # the table gives urging a timeline event
    ticket.resident_activity_at = now
    await feed.publish(session, at=now, estate_id=ticket.estate_id, kind="ticket_urged", ticket_id=ticket.id)
    return event
