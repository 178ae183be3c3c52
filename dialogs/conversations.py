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


class Draft(dict[str, Any]):
    """A conversation's data during one turn, remembering which keys the turn wrote, so that a flow entered
    afresh keeps what its entry set and nothing of the draft before (`engine._fresh_draft`)."""

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.written: set[str] = set()

    def __setitem__(self, key: str, value: Any) -> None:
        self.written.add(key)
        super().__setitem__(key, value)

    def update(self, *args: Any, **kw: Any) -> None:
        for key, value in dict(*args, **kw).items():
            self[key] = value

    def setdefault(self, key: str, default: Any = None) -> Any:
        self.written.add(key)
        return super().setdefault(key, default)


def save(conv: Conversation, turn: Turn, flow_name: str, step_name: str, now: datetime) -> list[Reply]:
    """Store where the conversation now is and the flow's data; the turn's replies are returned, those with
    choices stamped with the conversation's new version (their `offer`: a choice sent back with another is stale)."""
    offered = {c.payload: c.label for r in turn.replies for c in r.choices}
    if offered:  # remembered so that typed words can pick a choice by its label next turn
        turn.data["_choices"] = [[label, payload] for payload, label in offered.items()]
    conv.flow, conv.step = flow_name, step_name
    conv.data = copy.deepcopy(dict(turn.data))
    flag_modified(conv, "data")  # nested lists change in place; make sure the JSON is written
    conv.updated_at = now
    conv.version += 1
    for reply in turn.replies:
        if reply.choices:
            reply.offer = conv.version
    return turn.replies
