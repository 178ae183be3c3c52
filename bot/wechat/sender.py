"""Sending the outbox over WeChat: customer-service messages within 48 hours of the resident's last
message, template messages outside it (or when WeChat answers 45015)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.outbound import Blocked, Channel, Failed, Outcome, Retry, Sent, send_due
from bot.wechat.client import OUT_OF_WINDOW, WeChatClient, WeChatError, client_for
from bot.wechat.render import as_text
from estate.core.clock import Clock
from estate.core.context import Context
from estate.core.settings import Settings
from estate.messaging.models import ChannelAccount, OutboundMessage

WINDOW = timedelta(hours=48)
UNREACHABLE = {43004, 43019, 40003}  # unsubscribed, blacklisted us, or not a follower


def _unreachable(account: ChannelAccount | None) -> str | None:
    return "no WeChat account" if account is None else None


async def send_once(ctx: Context, clock: Clock, *, limit: int = 100) -> int:
    """Claim due WeChat rows and send them; returns how many were sent."""
    settings = ctx.settings
    if not (settings.wechat_app_id and settings.wechat_app_secret):
        return 0
    client = client_for(settings)

    async def deliver(row: OutboundMessage, account: ChannelAccount) -> Outcome:
        return await _deliver(settings, clock, client, row, account)

    return await send_due(ctx, clock, Channel("wechat", deliver, _unreachable), limit=limit)


async def _deliver(
    settings: Settings, clock: Clock, client: WeChatClient, row: OutboundMessage, account: ChannelAccount
) -> Outcome:
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
                return Failed("outside the 48 h window and no template set")
            await client.send_template(account.external_id, settings.wechat_template_id, row.text)
    except WeChatError as exc:
        return Blocked(str(exc)) if exc.errcode in UNREACHABLE else Retry(str(exc))
    except httpx.HTTPError as exc:
        return Retry(str(exc)[:500])
    return Sent(record=_numbers_now(row, account))


def _numbers_now(
    row: OutboundMessage, account: ChannelAccount
) -> Callable[[AsyncSession, Clock], Awaitable[None]] | None:
    """A live chat's message replaces the numbered lines a reply's number picks: once the agent has asked
    something, "1" is the resident's answer, not the line shown before the agent spoke."""
    if row.kind != "live":
        return None
    choices = (row.payload or {}).get("choices") or None

    async def record(session: AsyncSession, clock: Clock) -> None:
        await session.execute(
            update(ChannelAccount).where(ChannelAccount.id == account.id).values(last_choices=choices)
        )

    return record
