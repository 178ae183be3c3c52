"""Chat accounts, one per chat identity on a channel: created on first contact, and found by resident or unit."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.messaging.models import ChannelAccount, Conversation
from estate.residents.models import Resident

# The statements of every chat turn are built once, with bound parameters, instead of per call.
_THE_ACCOUNT = (
    select(ChannelAccount)
    .where(
        ChannelAccount.channel == bindparam("channel"), ChannelAccount.external_id == bindparam("external_id")
    )
    .execution_options(populate_existing=True)
)


def _dialect(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"


@cache
def _insert_account(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(ChannelAccount)
        .values(
            channel=bindparam("channel"),
            external_id=bindparam("external_id"),
            chat_id=bindparam("chat_id"),
            display_name=bindparam("display_name"),
            locale=bindparam("locale"),
            blocked=False,
            created_at=bindparam("created_at"),
        )
        .on_conflict_do_nothing(index_elements=["channel", "external_id"])
    )


@cache
def _with_conversation(lock: bool) -> Select[tuple[ChannelAccount, Conversation]]:
    stmt = (
        select(ChannelAccount, Conversation)
        .join(Conversation, Conversation.channel_account_id == ChannelAccount.id)
        .where(
            ChannelAccount.channel == bindparam("channel"),
            ChannelAccount.external_id == bindparam("external_id"),
        )
        .execution_options(populate_existing=True)
    )
    return stmt.with_for_update(of=Conversation) if lock else stmt


async def find_account(session: AsyncSession, *, channel: str, external_id: str) -> ChannelAccount | None:
    """The account of that chat identity, if it has one."""
    found = await session.execute(_THE_ACCOUNT, {"channel": channel, "external_id": str(external_id)})
    return found.scalar_one_or_none()


async def account_with_conversation(
    session: AsyncSession, *, channel: str, external_id: str
) -> tuple[ChannelAccount, Conversation] | None:
    """The account and its conversation row in one query (the row locked for the turn on PostgreSQL);
    None when the chat has no account or the account no conversation yet."""
    stmt = _with_conversation(_dialect(session) == "postgresql")
    row = (await session.execute(stmt, {"channel": channel, "external_id": str(external_id)})).first()
    return None if row is None else (row[0], row[1])


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
    account = await find_account(session, channel=channel, external_id=external_id)
    if account is not None:
        return account
    params = {
        "channel": channel,
        "external_id": str(external_id),
        "chat_id": chat_id or str(external_id),
        "display_name": display_name,
        "locale": locale,
        "created_at": clock.now(),
    }
    await session.execute(_insert_account(_dialect(session)), params)
    account = await find_account(session, channel=channel, external_id=external_id)
    assert account is not None  # inserted now, or by the update that raced this one
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
