"""The service deadlines of DESIGN §3 (dispatch and resolve), in the estate's local time."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.rules import DEFAULT_RULES, ServiceRules
from estate.residents.models import Estate
from estate.tickets.models import TicketKind, Urgency


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
    rules: ServiceRules = DEFAULT_RULES,
) -> datetime | None:
    """When the ticket must be resolved: complaints the same local day, or 3 days once transferred."""
    if kind == TicketKind.COMPLAINT:
        if transferred:
            return (dispatched_at or created_at) + timedelta(days=rules.complaint_transfer_days)
        return end_of_local_day(created_at, tz)
    if kind == TicketKind.INQUIRY:
        return created_at + timedelta(hours=rules.inquiry_resolve_hours)
    return None
