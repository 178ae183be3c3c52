"""Delivering outbox rows to the web chat: they become messages the page picks up with /chat/api/poll."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.outbound import Channel, Outcome, Sent, send_due
from estate.core.clock import Clock
from estate.core.context import Context
from estate.messaging.models import ChannelAccount, OutboundMessage, WebChatMessage


def _unreachable(account: ChannelAccount | None) -> str | None:
    return "no chat account" if account is None else None


async def _deliver(row: OutboundMessage, account: ChannelAccount) -> Outcome:
    async def record(s: AsyncSession, clock: Clock) -> None:
        # The unique outbox id makes this exactly-once, in the transaction that marks the row sent.
        exists = (
            await s.execute(select(WebChatMessage.id).where(WebChatMessage.outbox_id == row.id))
        ).first()
        if exists is None:
            s.add(
                WebChatMessage(
                    channel_account_id=account.id,
                    direction="out",
                    text=row.text,
                    payload=row.payload,
                    created_at=clock.now(),
                    outbox_id=row.id,
                )
            )

    return Sent(record=record)


CHANNEL = Channel("webchat", _deliver, _unreachable, in_transaction=True)


async def send_once(ctx: Context, clock: Clock, *, limit: int = 200) -> int:
    """Move due web chat rows of the outbox into the chat."""
    return await send_due(ctx, clock, CHANNEL, limit=limit)
