"""What the console's inbox shows: the open live chats of some estates, and one chat with its resident,
their unit, their open tickets and the conversation so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.activity.reads import LIVE, unread
from estate.livechat.models import LiveChat, LiveMessage, LiveStatus
from estate.messaging.models import ChannelAccount
from estate.residents.models import Resident, Unit
from estate.staff.models import Staff
from estate.tickets.models import Ticket
from estate.tickets.transitions import OPEN_STATUSES


@dataclass
class InboxRow:
    chat: LiveChat
    channel: str
    resident: Resident | None
    unit_code: str | None
    agent: str | None  # who claimed it
    last_line: str
    unread: bool


@dataclass
class Line:
    message: LiveMessage
    staff_name: str | None


@dataclass
class ChatView:
    chat: LiveChat
    channel: str
    display_name: str | None
    resident: Resident | None
    unit_code: str | None
    agent: Staff | None
    lines: list[Line]
    open_tickets: list[Ticket] = field(default_factory=list)


async def inbox(
    session: AsyncSession, *, estate_ids: list[int], staff_id: int, closed_since: datetime | None = None
) -> list[InboxRow]:
    """Waiting chats first (oldest first: they have waited longest), then active ones, then recently closed."""
    wanted: ColumnElement[bool] = LiveChat.status.in_([LiveStatus.WAITING, LiveStatus.ACTIVE])
    if closed_since is not None:
        wanted = wanted | (LiveChat.closed_at >= closed_since)
    rows = await session.execute(
        select(LiveChat, ChannelAccount.channel, Resident, Unit.code, Staff.display_name)
        .join(ChannelAccount, ChannelAccount.id == LiveChat.channel_account_id)
        .outerjoin(Resident, Resident.id == LiveChat.resident_id)
        .outerjoin(Unit, Unit.id == Resident.unit_id)
        .outerjoin(Staff, Staff.id == LiveChat.claimed_by_id)
        .where(LiveChat.estate_id.in_(estate_ids), wanted)
        .limit(200)
    )
    found = rows.all()
    chats = [r[0] for r in found]
    last = await _last_lines(session, [c.id for c in chats])
    new = await unread(
        session, staff_id=staff_id, subject=LIVE, activity={c.id: c.last_resident_at for c in chats}
    )
    order = {LiveStatus.WAITING: 0, LiveStatus.ACTIVE: 1, LiveStatus.CLOSED: 2}
    result = [
        InboxRow(chat, channel, resident, unit_code, agent, last.get(chat.id, ""), chat.id in new)
        for chat, channel, resident, unit_code, agent in found
    ]

    def place(row: InboxRow) -> tuple[int, float]:
        waiting = row.chat.status == LiveStatus.WAITING
        at = row.chat.opened_at.timestamp() if waiting else -row.chat.last_message_at.timestamp()
        return order[LiveStatus(row.chat.status)], at

    result.sort(key=place)
    return result


async def _last_lines(session: AsyncSession, chat_ids: list[int]) -> dict[int, str]:
    """The latest resident or agent line of each chat."""
    if not chat_ids:
        return {}
    rows = await session.execute(
        select(LiveMessage.live_chat_id, LiveMessage.text)
        .where(LiveMessage.live_chat_id.in_(chat_ids), LiveMessage.direction != "system")
        .order_by(LiveMessage.id)
    )
    return {chat_id: text for chat_id, text in rows.all()}


async def chat_view(session: AsyncSession, chat_id: int) -> ChatView | None:
    """One live chat as the agent sees it, or None when there is no such chat."""
    chat = await session.get(LiveChat, chat_id)
    if chat is None:
        return None
    account = await session.get(ChannelAccount, chat.channel_account_id)
    resident = await session.get(Resident, chat.resident_id) if chat.resident_id else None
    unit = await session.get(Unit, resident.unit_id) if resident else None
    agent = await session.get(Staff, chat.claimed_by_id) if chat.claimed_by_id else None
    rows = await session.execute(
        select(LiveMessage, Staff.display_name)
        .outerjoin(Staff, Staff.id == LiveMessage.staff_id)
        .where(LiveMessage.live_chat_id == chat.id)
        .order_by(LiveMessage.id)
    )
    tickets: list[Ticket] = []
    if resident is not None:
        found = await session.execute(
            select(Ticket)
            .where(Ticket.resident_id == resident.id, Ticket.status.in_(list(OPEN_STATUSES)))
            .order_by(Ticket.created_at.desc())
            .limit(10)
        )
        tickets = list(found.scalars())
    return ChatView(
        chat=chat,
        channel=account.channel if account else "",
        display_name=account.display_name if account else None,
        resident=resident,
        unit_code=unit.code if unit else None,
        agent=agent,
        lines=[Line(m, name) for m, name in rows.all()],
        open_tickets=tickets,
    )
