"""A live chat from the resident's request to its close: open, the resident's lines, claim, reply, close.

The dialog opens a live chat when a resident asks for a person (`open_chat`) and passes on what they write
(`resident_says`); agents claim it (one of several at once wins), reply (forbidden phrases refused, as on
tickets) and close it, which hands the chat back to the bot. Every step is a row, every message to the
resident goes through the outbox, staff actions are audited and the console's feed hears of each.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from estate.activity import feed
from estate.core.clock import Clock
from estate.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from estate.livechat import handover
from estate.livechat.models import LiveChat, LiveMessage, LiveStatus
from estate.livechat.tell import tell
from estate.messaging.models import ChannelAccount
from estate.staff.audit import audit
from estate.staff.models import Staff
from estate.tickets.messages import ForbiddenPhraseError
from estate.tickets.phrases import find_forbidden
from estate.tickets.transitions import LEADS
from locales import N_

MAX_TEXT = 2000
REPLY = N_("{name} (customer service): {text}")
CLOSED_BY_STAFF = N_(
    "Our colleague has ended this conversation. Thank you for contacting us! I am the assistant again: "
    "send a message or tap Menu whenever you need us."
)


class LiveClaimConflict(Conflict):
    """Somebody else claimed the live chat first; `winner` names them."""

    def __init__(self, winner: Staff | None) -> None:
        super().__init__("already_claimed", winner=winner.display_name if winner else None)


async def open_chat_of(session: AsyncSession, account_id: int) -> LiveChat | None:
    """The chat account's open live chat (waiting or active), if any."""
    row = await session.execute(select(LiveChat).where(LiveChat.open_account_id == account_id))
    return row.scalar_one_or_none()


async def get_chat(session: AsyncSession, chat_id: int, *, lock: bool = False) -> LiveChat:
    stmt = select(LiveChat).where(LiveChat.id == chat_id).execution_options(populate_existing=True)
    chat = (await session.execute(stmt.with_for_update() if lock else stmt)).scalar_one_or_none()
    if chat is None:
        raise NotFound("live_chat_not_found")
    return chat


async def open_chat(
    session: AsyncSession,
    *,
    clock: Clock,
    account: ChannelAccount,
    estate_id: int,
    after_hours: bool,
    first_words: str | None = None,
) -> tuple[LiveChat, bool]:
    """The account's open live chat, opened now if it has none; returns (chat, newly opened)."""
    existing = await open_chat_of(session, account.id)
    if existing is not None:
        if first_words:
            await resident_says(session, clock=clock, chat=existing, text=first_words)
        return existing, False
    now = clock.now()
    chat = LiveChat(
        estate_id=estate_id,
        channel_account_id=account.id,
        open_account_id=account.id,
        resident_id=account.resident_id,
        status=LiveStatus.WAITING,
        after_hours=after_hours,
        opened_at=now,
        last_message_at=now,
    )
    session.add(chat)
    await session.flush()
    await feed.publish(session, at=now, estate_id=estate_id, kind="live_waiting", live_chat_id=chat.id)
    if first_words:
        await resident_says(session, clock=clock, chat=chat, text=first_words)
    return chat, True


async def resident_says(
    session: AsyncSession, *, clock: Clock, chat: LiveChat, text: str | None, attachment_id: int | None = None
) -> LiveMessage:
    """A line from the resident (words and/or a photo), shown to the agent at once."""
    words = (text or "").strip()[:MAX_TEXT]
    if not words and attachment_id is None:
        raise ValidationFailed("empty_message")
    now = clock.now()
    line = LiveMessage(
        live_chat_id=chat.id, direction="in", text=words, attachment_id=attachment_id, created_at=now
    )
    session.add(line)
    chat.last_message_at = chat.last_resident_at = now
    await session.flush()
    await feed.publish(session, at=now, estate_id=chat.estate_id, kind="live_message", live_chat_id=chat.id)
    return line


async def claim(session: AsyncSession, *, clock: Clock, chat_id: int, staff: Staff) -> LiveChat:
    """Take a waiting live chat; of several agents claiming at once exactly one wins (LiveClaimConflict)."""
    now = clock.now()
    result = await session.execute(
        update(LiveChat)
        .where(LiveChat.id == chat_id, LiveChat.status == LiveStatus.WAITING)
        .values(status=LiveStatus.ACTIVE, claimed_by_id=staff.id, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    chat = await get_chat(session, chat_id)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        if chat.status == LiveStatus.CLOSED:
            raise InvalidTransition("live_chat_closed")
        winner = await session.get(Staff, chat.claimed_by_id) if chat.claimed_by_id else None
        raise LiveClaimConflict(winner)
    await handover.to_person(session, account_id=chat.channel_account_id, chat_id=chat.id, at=now)
    await system_line(session, chat, now, "claimed", staff)
    await audit(
        session,
        clock=clock,
        staff_id=staff.id,
        action="live_claim",
        target_type="live_chat",
        target_id=chat.id,
    )
    await feed.publish(
        session,
        at=now,
        estate_id=chat.estate_id,
        kind="live_claimed",
        live_chat_id=chat.id,
        staff_id=staff.id,
    )
    await tell(
        session,
        clock=clock,
        chat=chat,
        key="claimed",
        text_for=lambda t: t(
            "Hello, this is {name} of customer service. How may I help you?", name=staff.display_name
        ),
        payload={"agent": staff.display_name},
    )
    return chat


def _may_act(chat: LiveChat, staff: Staff) -> None:
    """Only the agent who claimed the chat (or a supervisor and above) answers or closes it."""
    if chat.status == LiveStatus.CLOSED:
        raise InvalidTransition("live_chat_closed")
    if chat.status == LiveStatus.WAITING:
        raise InvalidTransition("live_chat_not_claimed")
    if chat.claimed_by_id != staff.id and staff.role not in LEADS:
        raise Conflict("live_chat_not_yours")


async def reply(
    session: AsyncSession, *, clock: Clock, chat_id: int, staff: Staff, text: str, locale: str | None = None
) -> LiveMessage:
    """The agent's answer, refused when it holds a forbidden phrase; sent to the resident's chat at once."""
    words = (text or "").strip()
    if not words:
        raise ValidationFailed("empty_message")
    if len(words) > MAX_TEXT:
        raise ValidationFailed("too_long", limit=MAX_TEXT)
    matches = find_forbidden(words, locale=locale)
    if matches:
        raise ForbiddenPhraseError(matches)
    chat = await get_chat(session, chat_id, lock=True)
    _may_act(chat, staff)
    now = clock.now()
    line = LiveMessage(live_chat_id=chat.id, direction="out", text=words, staff_id=staff.id, created_at=now)
    session.add(line)
    chat.last_message_at = now
    await session.flush()
    await tell(
        session,
        clock=clock,
        chat=chat,
        key=f"reply:{line.id}",
        text_for=lambda t: t(REPLY, name=staff.display_name, text=words),
        payload={"agent": staff.display_name},
    )
    await feed.publish(
        session, at=now, estate_id=chat.estate_id, kind="live_reply", live_chat_id=chat.id, staff_id=staff.id
    )
    return line


async def close(session: AsyncSession, *, clock: Clock, chat_id: int, staff: Staff) -> LiveChat:
    """The agent ends the live chat: the bot takes over again and the resident is told."""
    chat = await get_chat(session, chat_id, lock=True)
    if chat.status == LiveStatus.ACTIVE:  # a waiting one any agent may close (the resident has gone)
        _may_act(chat, staff)
    await _finish(session, clock=clock, chat=chat, staff=staff)
    await audit(
        session,
        clock=clock,
        staff_id=staff.id,
        action="live_close",
        target_type="live_chat",
        target_id=chat.id,
    )
    await tell(session, clock=clock, chat=chat, key="closed", text_for=lambda t: t(CLOSED_BY_STAFF))
    return chat


async def resident_leaves(session: AsyncSession, *, clock: Clock, chat: LiveChat) -> None:
    """The resident ends the live chat from their side (the dialog tells them itself)."""
    await _finish(session, clock=clock, chat=chat, staff=None)


async def _finish(session: AsyncSession, *, clock: Clock, chat: LiveChat, staff: Staff | None) -> None:
    if chat.status == LiveStatus.CLOSED:
        raise InvalidTransition("live_chat_closed")
    now = clock.now()
    chat.status = LiveStatus.CLOSED
    chat.open_account_id = None
    chat.closed_at = now
    chat.closed_by_id = staff.id if staff else None
    await system_line(session, chat, now, "closed" if staff else "left", staff)
    await handover.to_bot(session, account_id=chat.channel_account_id, at=now)
    await feed.publish(
        session,
        at=now,
        estate_id=chat.estate_id,
        kind="live_closed",
        live_chat_id=chat.id,
        staff_id=staff.id if staff else None,
    )


async def system_line(
    session: AsyncSession, chat: LiveChat, at: datetime, what: str, staff: Staff | None
) -> None:
    """A line of the chat's history the console shows in words (`what` is a code the console labels)."""
    session.add(
        LiveMessage(
            live_chat_id=chat.id,
            direction="system",
            text=what,
            staff_id=staff.id if staff else None,
            created_at=at,
        )
    )
    await session.flush()
