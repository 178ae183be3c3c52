"""Callbacks (回访) after a ticket is resolved, and satisfaction surveys (overall, speed, attitude: 1–5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.errors import InvalidTransition, NotFound, ValidationFailed
from estate.core.rules import DEFAULT_RULES, ServiceRules
from estate.staff.audit import audit
from estate.tickets.models import CallbackStatus, CallbackTask, Survey, Ticket, TicketEvent
from estate.tickets.service import reopen_ticket
from estate.tickets.transitions import allowed_actions, transition

SATISFIED_FROM = 4  # a rating of 4 or 5 counts as satisfied (满意), the scale itself rather than a rule


async def due_callbacks(
    session: AsyncSession,
    *,
    now: datetime,
    estate_id: int | None = None,
    overdue_only: bool = False,
    include_future: bool = False,
) -> list[tuple[CallbackTask, Ticket]]:
    """Pending callbacks due by `now` (or all pending with include_future), earliest first."""
    stmt = (
        select(CallbackTask, Ticket)
        .join(Ticket, Ticket.id == CallbackTask.ticket_id)
        .where(CallbackTask.status == CallbackStatus.PENDING)
        .order_by(CallbackTask.due_at)
    )
    if not include_future or overdue_only:
        stmt = stmt.where(CallbackTask.due_at < now if overdue_only else CallbackTask.due_at <= now)
    if estate_id is not None:
        stmt = stmt.where(Ticket.estate_id == estate_id)
    return [(c, t) for c, t in (await session.execute(stmt)).all()]


def _check_ratings(*ratings: int) -> None:
    for r in ratings:
        if not isinstance(r, int) or not 1 <= r <= 5:
            raise ValidationFailed("bad_rating", rating=r)


def is_low_rating(survey: Survey, rules: ServiceRules = DEFAULT_RULES) -> bool:
    """True when one of the answers is at or below the rules' low rating (the ticket reopens)."""
    return min(survey.overall, survey.speed, survey.attitude) <= rules.low_rating


async def _apply_survey(
    session: AsyncSession,
    *,
    clock: Clock,
    ticket: Ticket,
    survey: Survey,
    staff_id: int | None,
    rules: ServiceRules,
) -> None:
    """Close the callback round: a low rating reopens for the supervisor, otherwise callback done."""
    now = clock.now()
    session.add(
        TicketEvent(
            ticket_id=ticket.id,
            at=now,
            kind="survey",
            staff_id=staff_id,
            resident_id=survey.resident_id,
            text=survey.comment,
            data={
                "overall": survey.overall,
                "speed": survey.speed,
                "attitude": survey.attitude,
                "source": survey.source,
            },
        )
    )
    if is_low_rating(survey, rules):
        await reopen_ticket(
            session,
            clock=clock,
            ticket_id=ticket.id,
            reason="low_rating",
            staff_id=staff_id,
            resident_id=survey.resident_id,
            escalate_to_supervisor=True,
        )
    elif "callback_done" in allowed_actions(ticket):
        await transition(session, ticket, "callback_done", clock=clock)


async def _pending_callback(session: AsyncSession, ticket_id: int) -> CallbackTask | None:
    return (
        (
            await session.execute(
                select(CallbackTask)
                .where(CallbackTask.ticket_id == ticket_id, CallbackTask.status == CallbackStatus.PENDING)
                .order_by(CallbackTask.round.desc())
            )
        )
        .scalars()
        .first()
    )


async def record_callback(
    session: AsyncSession,
    *,
    clock: Clock,
    callback_id: int,
    staff_id: int,
    result_text: str,
    overall: int,
    speed: int,
    attitude: int,
    rules: ServiceRules = DEFAULT_RULES,
) -> Survey:
    """Staff record the callback call and the resident's answers."""
    _check_ratings(overall, speed, attitude)
    callback = await session.get(CallbackTask, callback_id)
    if callback is None:
        raise NotFound("callback_not_found")
    if callback.status != CallbackStatus.PENDING:
        raise InvalidTransition("callback_done_already")
    ticket = await session.get(Ticket, callback.ticket_id)
    assert ticket is not None
    now = clock.now()
    callback.status = CallbackStatus.DONE
    callback.done_at = now
    callback.staff_id = staff_id
    callback.result_text = (result_text or "").strip() or None
    survey = Survey(
        ticket_id=ticket.id,
        callback_id=callback.id,
        resident_id=ticket.resident_id,
        overall=overall,
        speed=speed,
        attitude=attitude,
        comment=callback.result_text,
        source="staff",
        answered_at=now,
    )
    session.add(survey)
    await session.flush()
    await _apply_survey(session, clock=clock, ticket=ticket, survey=survey, staff_id=staff_id, rules=rules)
    await audit(
        session,
        clock=clock,
        staff_id=staff_id,
        action="callback.record",
        target_type="ticket",
        target_id=ticket.ref,
        detail={"overall": overall, "speed": speed, "attitude": attitude},
    )
    return survey


async def record_survey(
    session: AsyncSession,
    *,
    clock: Clock,
    ticket_id: int,
    resident_id: int | None,
    overall: int,
    speed: int,
    attitude: int,
    comment: str | None = None,
    rules: ServiceRules = DEFAULT_RULES,
) -> Survey:
    """The resident's own answers from chat; completes the pending callback of the ticket."""
    _check_ratings(overall, speed, attitude)
    ticket = await session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("ticket_not_found")
    callback = await _pending_callback(session, ticket_id)
    if callback is None:
        raise InvalidTransition("no_survey_pending")
    now = clock.now()
    callback.status = CallbackStatus.DONE
    callback.done_at = now
    callback.result_text = "survey"
    survey = Survey(
        ticket_id=ticket.id,
        callback_id=callback.id,
        resident_id=resident_id,
        overall=overall,
        speed=speed,
        attitude=attitude,
        comment=(comment or "").strip() or None,
        source="resident",
        answered_at=now,
    )
    session.add(survey)
    await session.flush()
    await _apply_survey(session, clock=clock, ticket=ticket, survey=survey, staff_id=None, rules=rules)
    return survey


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
        stmt = stmt.join(Ticket, Ticket.id == Survey.ticket_id).where(Ticket.estate_id == estate_id)
    answered, satisfied = (await session.execute(stmt)).one()
    return Satisfaction(
        answered=int(answered), satisfied=int(satisfied or 0), target=rules.satisfaction_target
    )
