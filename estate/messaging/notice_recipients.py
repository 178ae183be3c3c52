"""Who a notice goes to: the bound, unblocked chats of the estate, of one building, or of the units in arrears."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing.models import Bill
from estate.billing.periods import local_date
from estate.messaging.models import ChannelAccount, Notice, NoticeTarget
from estate.residents.models import Estate, Resident, Unit


async def recipients(session: AsyncSession, notice: Notice, *, now: datetime) -> list[ChannelAccount]:
    """The bound, unblocked chat accounts the notice goes to."""
    stmt = (
        select(ChannelAccount)
        .join(Resident, Resident.id == ChannelAccount.resident_id)
        .join(Unit, Unit.id == Resident.unit_id)
        .where(
            Unit.estate_id == notice.estate_id, ChannelAccount.blocked.is_(False), Resident.active.is_(True)
        )
        .order_by(ChannelAccount.id)
    )
    if notice.target == NoticeTarget.BUILDING:
        stmt = stmt.where(Unit.building_id == notice.building_id)
    elif notice.target == NoticeTarget.ARREARS:
        estate = await session.get(Estate, notice.estate_id)
        today = local_date(now, ZoneInfo(estate.timezone if estate else "Asia/Shanghai"))
        owing = select(Bill.unit_id).where(Bill.paid_cents < Bill.amount_cents, Bill.due_date < today)
        stmt = stmt.where(Unit.id.in_(owing))
    return list((await session.execute(stmt)).scalars())
