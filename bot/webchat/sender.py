"""Delivering outbox rows to the web chat: they become messages the page picks up with /chat/api/poll."""

from __future__ import annotations

import os

from sqlalchemy import select

from estate import outbox
from estate.clock import Clock
from estate.context import Context
from estate.db import unit_of_work
from estate.models import ChannelAccount, WebChatMessage


async def send_once(ctx: Context, clock: Clock, *, limit: int = 200) -> int:
    """Move due web chat rows of the outbox into the chat; the unique outbox id makes this exactly-once."""
    owner = f"webchat-{os.getpid()}"
    async with unit_of_work(ctx.sessions) as s:
        rows = await outbox.claim(
            s,
            clock=clock,
            channel="webchat",
            owner=owner,
            limit=limit,
            lease_seconds=ctx.settings.outbox_lease_seconds,
        )
        delivered = 0
        for row in rows:
            if row.channel_account_id is None:
                await outbox.mark_failed(s, clock=clock, message_id=row.id, error="no chat account")
                continue
            account = await s.get(ChannelAccount, row.channel_account_id, populate_existing=True)
            if row.resident_id is not None and (account is None or account.resident_id != row.resident_id):
                await outbox.mark_failed(s, clock=clock, message_id=row.id, error=outbox.UNBOUND)
                continue  # queued before the chat was unbound: it is not the resident's chat any more
            exists = (
                await s.execute(select(WebChatMessage.id).where(WebChatMessage.outbox_id == row.id))
            ).first()
            if exists is None:
                s.add(
                    WebChatMessage(
                        channel_account_id=row.channel_account_id,
                        direction="out",
                        text=row.text,
                        payload=row.payload,
                        created_at=clock.now(),
                        outbox_id=row.id,
                    )
                )
            await outbox.mark_sent(s, clock=clock, message_id=row.id, external_id=None)
            delivered += 1
    return delivered
