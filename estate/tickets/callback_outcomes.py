"""Callback calls that end without ratings: the resident could not be reached, or refused the callback.

Each unreachable call is an attempt on the ticket's timeline (a "callback_attempt" event naming the callback);
the third one ends the round as `UNREACHABLE` and escalates to the supervisor (reason
"callback_unreachable"), who decides what to do next. A refusal ends the round at once (the ticket moves on as
after a callback) and records no rating, so refusals never count in the satisfaction rate.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.errors import ValidationFailed
from estate.tickets.callbacks import MAX_ATTEMPTS, REFUSED, UNREACHABLE, Outcome, pending_callback
from estate.tickets.escalation import escalate
from estate.tickets.models import CallbackTask, Ticket, TicketEvent
from estate.tickets.timeline import audit_ticket, record_event, transition
from estate.tickets.transitions import allowed_actions

ATTEMPT = "callback_attempt"  # the timeline event of a call that did not reach the resident
REFUSAL = "callback_refused"  # the timeline event of a resident declining the callback


async def attempts_of(session: AsyncSession, callbacks: list[CallbackTask]) -> dict[int, int]:
    """How many unreachable calls each callback has had (by callback id)."""
    ticket_ids = {c.ticket_id for c in callbacks}
    if not ticket_ids:
        return {}
    rows = await session.execute(
        select(TicketEvent.data).where(TicketEvent.ticket_id.in_(ticket_ids), TicketEvent.kind == ATTEMPT)
    )
    counts = {c.id: 0 for c in callbacks}
    for (data,) in rows:
        callback_id = (data or {}).get("callback_id")
        if callback_id in counts:
            counts[callback_id] += 1
    return counts


async def _unreachable(
    session: AsyncSession,
    *,
    clock: Clock,
    callback: CallbackTask,
    ticket: Ticket,
    staff_id: int,
    note: str | None,
) -> int:
    """Count one more attempt; the last allowed one ends the round and tells the supervisor."""
    now = clock.now()
    attempt = (await attempts_of(session, [callback]))[callback.id] + 1
    data = {"callback_id": callback.id, "attempt": attempt, "of": MAX_ATTEMPTS}
    await record_event(session, ticket, at=now, kind=ATTEMPT, staff_id=staff_id, text=note, data=data)
    await audit_ticket(
        session, clock=clock, staff_id=staff_id, action="callback.unreachable", ticket=ticket, detail=data
    )
    if attempt >= MAX_ATTEMPTS:
        callback.status, callback.done_at = UNREACHABLE, now
        await escalate(session, ticket, at=now, level=1, reason="callback_unreachable")
    return attempt


async def _refused(
    session: AsyncSession,
    *,
    clock: Clock,
    callback: CallbackTask,
    ticket: Ticket,
    staff_id: int,
    note: str | None,
) -> None:
    """The resident declined: the round ends without a rating and the ticket moves on as after a callback."""
    callback.status, callback.done_at = REFUSED, clock.now()
    await record_event(session, ticket, at=clock.now(), kind=REFUSAL, staff_id=staff_id, text=note)
    await audit_ticket(session, clock=clock, staff_id=staff_id, action="callback.refused", ticket=ticket)
    if "callback_done" in allowed_actions(ticket):
        await transition(session, ticket, "callback_done", clock=clock)


async def record_no_answer(
    session: AsyncSession, *, clock: Clock, callback_id: int, staff_id: int, outcome: str, note: str = ""
) -> CallbackTask:
    """Record a callback call that brought no ratings: `outcome` is Outcome.UNREACHABLE or Outcome.REFUSED."""
    callback, ticket = await pending_callback(session, callback_id)  # a missing callback first: NotFound
    if outcome not in (Outcome.UNREACHABLE, Outcome.REFUSED):
        raise ValidationFailed("outcome_required")
    callback.staff_id = staff_id
    text = (note or "").strip() or None
    if text:
        callback.result_text = text
    if outcome == Outcome.UNREACHABLE:
        await _unreachable(
            session, clock=clock, callback=callback, ticket=ticket, staff_id=staff_id, note=text
        )
    else:
        await _refused(session, clock=clock, callback=callback, ticket=ticket, staff_id=staff_id, note=text)
    await session.flush()
    return callback
