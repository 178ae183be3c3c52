"""A live chat (a resident handed over to a person) and its messages in both directions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from estate.core.base import Base
from estate.core.types import UTCDateTime


class LiveStatus(StrEnum):
    WAITING = "waiting"  # asked for a person; nobody has claimed it yet
    ACTIVE = "active"  # an agent claimed it and answers
    CLOSED = "closed"  # handed back to the bot


class LiveChat(Base):
    """One hand-over of a chat to a person, from the resident's request until an agent closes it.

    `open_account_id` holds the chat account while the live chat is open and NULL once it is closed: its
    unique index lets each chat have at most one open live chat, on SQLite and PostgreSQL alike."""

    __tablename__ = "live_chats"
    __table_args__ = (Index("ix_live_chats_inbox", "estate_id", "status", "last_message_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"))
    channel_account_id: Mapped[int] = mapped_column(ForeignKey("channel_accounts.id"), index=True)
    open_account_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=LiveStatus.WAITING)
    after_hours: Mapped[bool] = mapped_column(Boolean, default=False)  # asked outside office hours
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))  # the ticket made of it
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_resident_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LiveMessage(Base):
    """One line of a live chat: the resident's words or photo, an agent's reply, or a line of the system."""

    __tablename__ = "live_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    live_chat_id: Mapped[int] = mapped_column(ForeignKey("live_chats.id"), index=True)
    direction: Mapped[str] = mapped_column(String(8))  # in | out | system
    text: Mapped[str] = mapped_column(Text)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
