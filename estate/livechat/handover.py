"""Who answers a chat: the bot, or a person. The chat's conversation row says which.

While a person answers, the conversation stands at the dialog's live step (`dialogs.steps.Human.LIVE`,
flow "human", step "live"), where everything the resident writes goes to the agent. Closing the live chat
puts the conversation back at the menu with no draft left, so the bot answers again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.messaging.models import Conversation

LIVE_FLOW, LIVE_STEP = "human", "live"


async def _conversation(session: AsyncSession, account_id: int) -> Conversation | None:
    row = await session.execute(
        select(Conversation)
        .where(Conversation.channel_account_id == account_id)
        .with_for_update()  # a turn of this chat running now finishes first (PostgreSQL)
        .execution_options(populate_existing=True)
    )
    return row.scalar_one_or_none()


async def to_person(session: AsyncSession, *, account_id: int, chat_id: int, at: datetime) -> None:
    """From now on the resident's messages go to the agent of live chat `chat_id`."""
    conv = await _conversation(session, account_id)
    if conv is None:
        conv = Conversation(channel_account_id=account_id, version=0)
        session.add(conv)
    conv.flow, conv.step = LIVE_FLOW, LIVE_STEP
    conv.data = {"live": chat_id}
    conv.updated_at = at
    conv.version = (conv.version or 0) + 1
    await session.flush()


async def to_bot(session: AsyncSession, *, account_id: int, at: datetime) -> None:
    """The bot answers again: the conversation goes back to the menu if it was at the live step."""
    conv = await _conversation(session, account_id)
    if conv is None or (conv.flow, conv.step) != (LIVE_FLOW, LIVE_STEP):
        return
    conv.flow, conv.step, conv.data = "menu", "start", {}
    conv.updated_at = at
    conv.version = (conv.version or 0) + 1
    await session.flush()
