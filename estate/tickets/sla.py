"""The service deadlines of DESIGN §3 (dispatch and resolve), in the estate's local time."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.rules import DEFAULT_RULES, ServiceRules
from estate.residents.models import Estate
from estate.tickets.models import Ticket, TicketKind, Urgency
from locales import N_


async def estate_timezone(session: AsyncSession, estate_id: int) -> ZoneInfo:
    """The estate's time zone, which decides where its local day ends."""
    estate = await session.get(Estate, estate_id)
    return ZoneInfo(estate.timezone if estate else "Asia/Shanghai")


def end_of_local_day(at: datetime, tz: ZoneInfo) -> datetime:
    """Midnight that ends the local day containing `at` (Beijing midnight, not UTC midnight)."""
    local = at.astimezone(tz)
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=tz)


def dispatch_deadline(
    *, kind: str, urgency: str, created_at: datetime, tz: ZoneInfo, rules: ServiceRules = DEFAULT_RULES
) -> datetime | None:
    """When the ticket must be passed to the responsible department."""
    if kind == TicketKind.REPAIR:
        return created_at + (rules.urgent_dispatch if urgency == Urgency.URGENT else rules.repair_dispatch)
    if kind == TicketKind.COMPLAINT:
        return end_of_local_day(created_at, tz)
    return None


def resolve_deadline(
    *,
    kind: str,
    created_at: datetime,
    tz: ZoneInfo,
    transferred: bool = False,
    dispatched_at: datetime | None = None,
    dispatch_due: datetime | None = None,
    rules: ServiceRules = DEFAULT_RULES,
) -> datetime | None:
    """When the ticket must be resolved: complaints the same local day, or 3 days once transferred; a repair
    `rules.repair_resolve_grace` after its dispatch deadline (when that is given), when it goes to the deputy GM."""
    if kind == TicketKind.COMPLAINT:
        if transferred:
            return (dispatched_at or created_at) + timedelta(days=rules.complaint_transfer_days)
        return end_of_local_day(created_at, tz)
    if kind == TicketKind.INQUIRY:
        return created_at + timedelta(hours=rules.inquiry_resolve_hours)
    if kind == TicketKind.REPAIR and dispatch_due is not None:
        return dispatch_due + rules.repair_resolve_grace
    return None


async def new_deadlines(
    session: AsyncSession, ticket: Ticket, *, now: datetime, rules: ServiceRules = DEFAULT_RULES
) -> dict[str, datetime | None]:
    """The deadlines of a ticket starting again at `now` (a reopened ticket): as if it had arrived now."""
    tz = await estate_timezone(session, ticket.estate_id)
    dispatch_due = dispatch_deadline(
        kind=ticket.kind, urgency=ticket.urgency, created_at=now, tz=tz, rules=rules
    )
    resolve_due = resolve_deadline(
        kind=ticket.kind, created_at=now, tz=tz, dispatch_due=dispatch_due, rules=rules
    )
    return {"dispatch_due": dispatch_due, "resolve_due": resolve_due}


# The SLA badge in words: (overdue?, unit) -> msgid with {n}.
BADGE_WORDS: dict[tuple[bool, str], str] = {
    (False, "minutes"): N_("{n} min left"),
    (False, "hours"): N_("{n} h left"),
    (False, "days"): N_("{n} days left"),
    (True, "minutes"): N_("{n} min overdue"),
    (True, "hours"): N_("{n} h overdue"),
    (True, "days"): N_("{n} days overdue"),
}


def time_left(due: datetime, now: datetime) -> tuple[str, int]:
    """The time to the deadline (or past it) in words: (msgid of BADGE_WORDS, the number for {n}).
    Minutes under an hour, hours under two days, then days; always at least 1."""
    overdue = now > due
    minutes = int(abs((due - now).total_seconds()) // 60)
    if minutes < 60:
        return BADGE_WORDS[(overdue, "minutes")], max(minutes, 1)
    if minutes < 48 * 60:
        return BADGE_WORDS[(overdue, "hours")], minutes // 60
    return BADGE_WORDS[(overdue, "days")], minutes // (24 * 60)
