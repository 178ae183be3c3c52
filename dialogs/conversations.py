"""A conversation's stored state: the `conversations` row of a chat account, read (locked) and written per turn.

One row per chat account, so any process can continue any conversation and a restart loses nothing. On
PostgreSQL the row is locked for the turn, so two updates of one resident handled by two processes at once
take turns.
"""

from __future__ import annotations

import copy
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from dialogs.turn import Turn
from dialogs.types import Reply
from estate.messaging.models import ChannelAccount, Conversation
from estate.residents.models import Resident
from locales import normalize_locale


@cache
def _insert(dialect: str) -> Any:
    """The new conversation at the menu (built once, with bound parameters)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(Conversation)
        .values(
            channel_account_id=bindparam("account_id"),
            flow="menu",
            step="start",
            data={},
            updated_at=bindparam("now"),
            version=0,
        )
        .on_conflict_do_nothing(index_elements=["channel_account_id"])
    )


@cache
def _select(lock: bool) -> Select[tuple[Conversation]]:
    stmt = (
        select(Conversation)
        .where(Conversation.channel_account_id == bindparam("account_id"))
        .execution_options(populate_existing=True)
    )
    return stmt.with_for_update() if lock else stmt


async def conversation_of(session: AsyncSession, account: ChannelAccount, now: datetime) -> Conversation:
    """The account's conversation row, created at the menu if it has none, locked for this turn on PostgreSQL."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    stmt = _select(dialect == "postgresql")
    conv = (await session.execute(stmt, {"account_id": account.id})).scalar_one_or_none()
    if conv is not None:
        return conv
    await session.execute(_insert(dialect), {"account_id": account.id, "now": now})
    return (await session.execute(stmt, {"account_id": account.id})).scalar_one()


def locale_of(account: ChannelAccount, resident: Resident | None, hint: str | None) -> str:
    """The account's chosen language, else the resident's, else the channel's hint, else zh_CN."""
    return normalize_locale(account.locale or (resident.locale if resident else None) or hint)


def save(conv: Conversation, turn: Turn, flow_name: str, step_name: str, now: datetime) -> list[Reply]:
    """Store where the conversation now is and the flow's data; the turn's replies are returned."""
    offered = {c.payload: c.label for r in turn.replies for c in r.choices}
    if offered:  # remembered so that typed words can pick a choice by its label next turn
        turn.data["_choices"] = [[label, payload] for payload, label in offered.items()]
    conv.flow, conv.step = flow_name, step_name
    conv.data = copy.deepcopy(turn.data)
    flag_modified(conv, "data")  # nested lists change in place; make sure the JSON is written
    conv.updated_at = now
    conv.version += 1
    return turn.replies
