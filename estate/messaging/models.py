"""Channels and messages: chat accounts, conversations (dialog state), the outbox, web chat history,
notices, the inbound de-duplication record and per-chat send pacing.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from estate.core.base import Base
from estate.core.types import JSONType, UTCDateTime
from estate.residents.models import Resident


class Channel(StrEnum):
    TELEGRAM = "telegram"
    WECHAT = "wechat"
    WEBCHAT = "webchat"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"  # leased by a sender, not tried yet: safe to hand back
    ATTEMPTING = "attempting"  # the network call may have happened: never resent blindly
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"


class NoticeTarget(StrEnum):
    ESTATE = "estate"
    BUILDING = "building"
    ARREARS = "arrears"


class ChannelAccount(Base):
    """One chat identity (Telegram user, WeChat OpenID, web chat session), bound to at most one resident."""

    __tablename__ = "channel_accounts"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    chat_id: Mapped[str | None] = mapped_column(String(128))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), index=True)
    display_name: Mapped[str | None] = mapped_column(String(128))
    locale: Mapped[str | None] = mapped_column(String(8))
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bound_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_choices: Mapped[list[Any] | None] = mapped_column(
        JSONType
    )  # numbered menu lines shown last (WeChat)
    resident: Mapped[Resident | None] = relationship()


class Notice(Base):
    __tablename__ = "notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    target: Mapped[str] = mapped_column(String(16), default=NoticeTarget.ESTATE)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class OutboundMessage(Base):
    """A message to a resident (or staff chat), waiting to be sent exactly once (DESIGN §5)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_claim", "status", "not_before"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    channel_account_id: Mapped[int | None] = mapped_column(ForeignKey("channel_accounts.id"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), index=True)
    kind: Mapped[str] = mapped_column(
        String(24), default="message"
    )  # reply | status | reminder | notice | survey
    text: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # choices, template data, photo ...
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(64))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))


class WebChatMessage(Base):
    """A message shown in the web chat, in order; polled by the mobile page with `after=<id>`.

    A resident's message may carry the page's `client_id` (unique per chat): a retry with the same id is
    answered with the replies already given instead of being handled twice."""

    __tablename__ = "webchat_messages"
    __table_args__ = (UniqueConstraint("channel_account_id", "client_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel_account_id: Mapped[int] = mapped_column(ForeignKey("channel_accounts.id"), index=True)
    direction: Mapped[str] = mapped_column(String(4))  # in | out
    text: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"), unique=True)
    client_id: Mapped[str | None] = mapped_column(String(64))


class InboundSeen(Base):
    """Inbound messages already handled, so that a channel's retries (WeChat resends by MsgId) count once."""

    __tablename__ = "inbound_seen"
    __table_args__ = (UniqueConstraint("channel", "message_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    message_key: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class SendPacing(Base):
    """The next free send slot of a rate-limited channel, shared by every sender process (Telegram's rate)."""

    __tablename__ = "send_pacing"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_at: Mapped[float] = mapped_column(Float, default=0.0)  # Unix time of the next free slot


class Conversation(Base):
    """Dialog state of one channel account, so that any process can continue any conversation."""

    __tablename__ = "conversations"
    id: Mapped[int] = mapped_column(primary_key=True)
    channel_account_id: Mapped[int] = mapped_column(ForeignKey("channel_accounts.id"), unique=True)
    flow: Mapped[str] = mapped_column(String(32), default="menu")
    step: Mapped[str] = mapped_column(String(32), default="start")
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=0)
