"""The one sender loop of every channel: claim due outbox rows, mark each `attempting`, let the channel
deliver it, and record the outcome.

A channel gives `deliver(row, account) -> Outcome` and says which chats it cannot reach; the loop does
the rest. `attempting` is committed before the network call and the outcome after it, so a crash in
between leaves the row `unknown` for staff instead of sending it twice. A channel whose delivery is a
database write (the web chat) delivers inside that transaction instead: nothing is ever unknown there.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.context import Context
from estate.core.db import unit_of_work
from estate.messaging import leases, outcomes
from estate.messaging.models import ChannelAccount, OutboundMessage


@dataclass(frozen=True)
class Sent:
    """Delivered; `record` (if any) writes the delivery itself in the transaction that marks it sent."""

    external_id: str | None = None
    record: Callable[[AsyncSession, Clock], Awaitable[None]] | None = None


@dataclass(frozen=True)
class Retry:
    """A failure that may pass: back to the queue with exponential backoff."""

    error: str


@dataclass(frozen=True)
class Failed:
    """A failure that will not get better by retrying."""

    error: str


@dataclass(frozen=True)
class Blocked:
    """The resident blocked us: the account and all its queued messages are held."""

    error: str


@dataclass(frozen=True)
class Released:
    """Not tried after all (the channel said wait): back to the queue, the try not counted."""

    not_before: datetime


Outcome = Sent | Retry | Failed | Blocked | Released
Deliver = Callable[[OutboundMessage, ChannelAccount], Awaitable[Outcome]]


@dataclass(frozen=True)
class Channel:
    """What a channel's sender needs to say: its name, how to deliver, and which chats it cannot reach."""

    name: str
    deliver: Deliver
    unreachable: Callable[[ChannelAccount | None], str | None]  # the error to record, or None
    order: Callable[[list[OutboundMessage]], list[OutboundMessage]] = list
    in_transaction: bool = False  # delivery is a database write, done in the transaction that marks it


async def settle(session: AsyncSession, *, clock: Clock, row: OutboundMessage, outcome: Outcome) -> int:
    """Record the outcome of one delivery; 1 when the message was sent."""
    match outcome:
        case Sent(external_id=external_id, record=record):
            if record is not None:
                await record(session, clock)
            await outcomes.mark_sent(session, clock=clock, message_id=row.id, external_id=external_id)
            return 1
        case Retry(error=error):
            await outcomes.mark_failed(
                session,
                clock=clock,
                message_id=row.id,
                error=error,
                retry_at=clock.now() + outcomes.backoff(row.attempts + 1),
            )
        case Failed(error=error):
            await outcomes.mark_failed(session, clock=clock, message_id=row.id, error=error)
        case Blocked(error=error):
            await outcomes.mark_blocked(session, clock=clock, message_id=row.id, error=error)
        case Released(not_before=not_before):
            await outcomes.release(session, clock=clock, message_id=row.id, not_before=not_before)
    return 0


async def _accounts(session: AsyncSession, rows: list[OutboundMessage]) -> dict[int, ChannelAccount]:
    ids = {r.channel_account_id for r in rows if r.channel_account_id}
    if not ids:
        return {}
    found = await session.execute(select(ChannelAccount).where(ChannelAccount.id.in_(ids)))
    return {a.id: a for a in found.scalars()}


async def _attempt(
    session: AsyncSession, *, clock: Clock, channel: Channel, row: OutboundMessage, account, owner: str
) -> bool:
    """Whether to deliver the row: its chat is reachable and the lease is still ours (then `attempting`)."""
    problem = channel.unreachable(account)
    if problem is not None:
        await outcomes.mark_failed(session, clock=clock, message_id=row.id, error=problem)
        return False
    return await leases.mark_attempting(session, clock=clock, message_id=row.id, owner=owner)


async def send_due(ctx: Context, clock: Clock, channel: Channel, *, limit: int, owner: str = "") -> int:
    """Claim up to `limit` due rows of the channel and deliver them; returns how many were sent."""
    owner = owner or f"{channel.name}-{os.getpid()}-{id(ctx)}"
    async with unit_of_work(ctx.sessions) as s:
        rows = await leases.claim(
            s,
            clock=clock,
            channel=channel.name,
            owner=owner,
            limit=limit,
            lease_seconds=ctx.settings.outbox_lease_seconds,
        )
        accounts = await _accounts(s, rows)
    sent = 0
    for row in channel.order(rows):
        account = accounts.get(row.channel_account_id or -1)
        async with unit_of_work(ctx.sessions) as s:
            if not await _attempt(s, clock=clock, channel=channel, row=row, account=account, owner=owner):
                continue
            if channel.in_transaction:
                assert account is not None  # unreachable() refused the row otherwise
                sent += await settle(s, clock=clock, row=row, outcome=await channel.deliver(row, account))
                continue
        assert account is not None
        outcome = await channel.deliver(row, account)
        if isinstance(outcome, Blocked):
            account.blocked = True  # the rest of this batch for the chat was held by mark_blocked too
        async with unit_of_work(ctx.sessions) as s:
            sent += await settle(s, clock=clock, row=row, outcome=outcome)
    return sent
