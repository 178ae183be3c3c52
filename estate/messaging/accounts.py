"""Chat accounts, one per chat identity on a channel: created on first contact, and found by resident or unit."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.db import insert_for
from estate.messaging.models import ChannelAccount
from estate.residents.models import Resident


async def get_or_create_account(
    session: AsyncSession,
    *,
    clock: Clock,
    channel: str,
    external_id: str,
    chat_id: str | None = None,
    display_name: str | None = None,
    locale: str | None = None,
) -> ChannelAccount:
    """The account of that chat identity, created on first contact (safe when two updates race)."""
    await session.execute(
        insert_for(session)(ChannelAccount)
        .values(
            channel=channel,
            external_id=str(external_id),
            chat_id=chat_id or str(external_id),
            display_name=display_name,
            locale=locale,
            blocked=False,
            created_at=clock.now(),
        )
        .on_conflict_do_nothing(index_elements=["channel", "external_id"])
    )
    account = (
        await session.execute(
            select(ChannelAccount)
            .where(ChannelAccount.channel == channel, ChannelAccount.external_id == str(external_id))
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    return account


async def accounts_of_resident(session: AsyncSession, resident_id: int) -> list[ChannelAccount]:
    """The resident's bound, unblocked chat identities, most recently used first."""
    rows = await session.execute(
        select(ChannelAccount)
        .where(ChannelAccount.resident_id == resident_id, ChannelAccount.blocked.is_(False))
        .order_by(ChannelAccount.last_inbound_at.desc().nulls_last(), ChannelAccount.id.desc())
    )
    return list(rows.scalars())


async def accounts_of_unit(session: AsyncSession, *, unit_id: int) -> list[tuple[ChannelAccount, Resident]]:
    """Chat bindings of a unit's residents (for the unit's page in the console)."""
    rows = await session.execute(
        select(ChannelAccount, Resident)
        .join(Resident, Resident.id == ChannelAccount.resident_id)
        .where(Resident.unit_id == unit_id)
    )
    return [(a, r) for a, r in rows.all()]
