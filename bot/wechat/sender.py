"""Sending the outbox over WeChat: customer-service messages within 48 hours of the resident's last
message, template messages outside it (or when WeChat answers 45015)."""

from __future__ import annotations

import os
from datetime import timedelta

import httpx
from sqlalchemy import select

from bot.wechat.client import OUT_OF_WINDOW, WeChatError, client_for
from bot.wechat.render import as_text
from estate import outbox
from estate.clock import Clock
from estate.context import Context
from estate.db import unit_of_work
from estate.models import ChannelAccount

WINDOW = timedelta(hours=48)
UNREACHABLE = {43004, 43019, 40003}  # unsubscribed, blacklisted us, or not a follower


async def send_once(ctx: Context, clock: Clock, *, limit: int = 100) -> int:
    """Claim due WeChat rows and send them; returns how many were sent."""
    settings = ctx.settings
    if not (settings.wechat_app_id and settings.wechat_app_secret):
        return 0
    owner = f"wechat-{os.getpid()}"
    async with unit_of_work(ctx.sessions) as s:
        rows = await outbox.claim(
            s,
            clock=clock,
            channel="wechat",
            owner=owner,
            limit=limit,
            lease_seconds=settings.outbox_lease_seconds,
        )
        ids = {r.channel_account_id for r in rows if r.channel_account_id}
        accounts = (
            {
                a.id: a
                for a in (await s.execute(select(ChannelAccount).where(ChannelAccount.id.in_(ids)))).scalars()
            }
            if ids
            else {}
        )
    client = client_for(settings)
    sent = 0
    for row in rows:
        account = accounts.get(row.channel_account_id or -1)
        async with unit_of_work(ctx.sessions) as s:
            if account is None:
                await outbox.mark_failed(s, clock=clock, message_id=row.id, error="no WeChat account")
                continue
            if not await outbox.mark_attempting(s, clock=clock, message_id=row.id, owner=owner):
                continue
        text = as_text(row.text, (row.payload or {}).get("choices") or [], account.locale)
        within = account.last_inbound_at is not None and clock.now() - account.last_inbound_at < WINDOW
        try:
            try:
                if not within:
                    raise WeChatError(OUT_OF_WINDOW, "outside the 48 h window")
                await client.send_text(account.external_id, text)
            except WeChatError as exc:
                if exc.errcode != OUT_OF_WINDOW:
                    raise
                if not settings.wechat_template_id:
                    async with unit_of_work(ctx.sessions) as s:
                        await outbox.mark_failed(
                            s,
                            clock=clock,
                            message_id=row.id,
                            error="outside the 48 h window and no template set",
                        )
                    continue
                await client.send_template(account.external_id, settings.wechat_template_id, row.text)
        except WeChatError as exc:
            async with unit_of_work(ctx.sessions) as s:
                if exc.errcode in UNREACHABLE:
                    await outbox.mark_blocked(s, clock=clock, message_id=row.id, error=str(exc))
                else:
                    await outbox.mark_failed(
                        s,
                        clock=clock,
                        message_id=row.id,
                        error=str(exc),
                        retry_at=clock.now() + outbox.backoff(row.attempts + 1),
                    )
            continue
        except httpx.HTTPError as exc:
            async with unit_of_work(ctx.sessions) as s:
                await outbox.mark_failed(
                    s,
                    clock=clock,
                    message_id=row.id,
                    error=str(exc)[:500],
                    retry_at=clock.now() + outbox.backoff(row.attempts + 1),
                )
            continue
        async with unit_of_work(ctx.sessions) as s:
            await outbox.mark_sent(s, clock=clock, message_id=row.id)
        sent += 1
    return sent
