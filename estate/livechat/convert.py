"""Turning a live chat into a ticket: what the resident wrote becomes the description, their photos go with it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.errors import InvalidTransition
from estate.core.rules import ServiceRules
from estate.livechat.chats import get_chat, system_line
from estate.livechat.models import LiveChat, LiveMessage, LiveStatus
from estate.livechat.tell import tell
from estate.staff.models import Staff
from estate.tickets.create import create_ticket
from estate.tickets.models import Ticket

SOURCE = "live_chat"


async def _resident_lines(session: AsyncSession, chat: LiveChat) -> tuple[str, list[int]]:
    rows = await session.execute(
        select(LiveMessage.text, LiveMessage.attachment_id)
        .where(LiveMessage.live_chat_id == chat.id, LiveMessage.direction == "in")
        .order_by(LiveMessage.id)
    )
    lines = rows.all()
    return "\n".join(text for text, _ in lines if text), [a for _, a in lines if a is not None]


async def to_ticket(
    session: AsyncSession,
    *,
    clock: Clock,
    chat_id: int,
    staff: Staff,
    kind: str,
    category_code: str,
    rules: ServiceRules,
    urgency: str | None = None,
) -> Ticket:
    """A ticket of the chat's words (once per chat); the resident is told its reference in the chat."""
    chat = await get_chat(session, chat_id, lock=True)
    if chat.ticket_id is not None:
        raise InvalidTransition("live_chat_has_ticket")
    if chat.status == LiveStatus.CLOSED:
        raise InvalidTransition("live_chat_closed")
    description, photos = await _resident_lines(session, chat)
    ticket = await create_ticket(
        session,
        clock=clock,
        estate_id=chat.estate_id,
        kind=kind,
        category_code=category_code,
        description=description,
        resident_id=chat.resident_id,
        urgency=urgency,
        channel_account_id=chat.channel_account_id,
        attachment_ids=photos,
        staff_id=staff.id,
        rules=rules,
    )
    ticket.source = SOURCE
    chat.ticket_id = ticket.id
    await system_line(session, chat, clock.now(), "ticket", staff)
    await tell(
        session,
        clock=clock,
        chat=chat,
        key="ticket",
        text_for=lambda t: t(
            "We have recorded this as request {ref}. You can follow it under My requests.", ref=ticket.ref
        ),
        payload={"ticket_ref": ticket.ref},
    )
    return ticket
