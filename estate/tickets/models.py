"""Tickets (repairs, complaints, inquiries) with their timeline, escalations, attachments, callbacks and
surveys, and the corrections staff make to the understanding model.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Computed, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from estate.core.base import Base
from estate.core.types import JSONType, UTCDateTime


class TicketKind(StrEnum):
    REPAIR = "repair"
    COMPLAINT = "complaint"
    INQUIRY = "inquiry"
    SUGGESTION = "suggestion"


class TicketStatus(StrEnum):
    NEW = "new"
    CLAIMED = "claimed"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CALLBACK_DONE = "callback_done"
    CLOSED = "closed"


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


class CallbackStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"


SLA_DUE = (
    "COALESCE(CASE WHEN status IN ('new', 'claimed') AND dispatch_due IS NOT NULL THEN dispatch_due "
    "WHEN status IN ('new', 'claimed', 'dispatched', 'in_progress') THEN resolve_due END, "
    "'9999-12-31 00:00:00.000000')"
)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_queue", "estate_id", "status", "created_at"),
        Index("ix_tickets_dispatch_due", "status", "dispatch_due"),
        # the dashboard: tickets of the last 30 days, and the count of open tickets past a deadline
        Index("ix_tickets_estate_created", "estate_id", "created_at"),
        Index("ix_tickets_overdue", "estate_id", "status", "dispatch_due", "resolve_due"),
        Index("ix_tickets_sla", "urgency", "sla_due", "id"),  # the SLA-first queue, walked in order
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"))
    kind: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"), index=True)
    location_text: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(String(16), default=Urgency.NORMAL)
    major: Mapped[bool] = mapped_column(Boolean, default=False)
    preferred_window: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=TicketStatus.NEW)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), index=True)
    channel_account_id: Mapped[int | None] = mapped_column(ForeignKey("channel_accounts.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    department: Mapped[str | None] = mapped_column(String(16))
    technician_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    transferred: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatch_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolve_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)  # 0 agent, 1 supervisor, 2 deputy GM
    result: Mapped[str | None] = mapped_column(Text)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    last_urged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the resident's latest message, photo or urge: newer than a staff member's read mark shows as unread
    resident_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[str | None] = mapped_column(String(16))  # chat (None) | phone | walk_in | patrol | live_chat
    # the deadline that counts now (dispatch while waiting for it, else resolve; far future when none or closed),
    # kept by the database: the SLA-first queue walks it through an index instead of sorting every open ticket
    sla_due: Mapped[datetime | None] = mapped_column(UTCDateTime, Computed(SLA_DUE, persisted=True))
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", viewonly=False
    )


class TicketEvent(Base):
    """One line of a ticket's append-only timeline: who did what, when; every message in and out."""

    __tablename__ = "ticket_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(24))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    text: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    ticket: Mapped[Ticket] = relationship(back_populates="events")


class Escalation(Base):
    """An escalation applied to a ticket; unique per (ticket, level, reason, round) so each happens once per
    round (a reopened ticket starts a new round with new deadlines: `round` is its `reopen_count`)."""

    __tablename__ = "escalations"
    __table_args__ = (UniqueConstraint("ticket_id", "level", "reason", "round"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))  # dispatch_breach | resolve_breach | major | low_rating
    round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    to_role: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Attachment(Base):
    """A stored file (a resident's photo); the bytes live under the data directory."""

    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_events.id"))
    path: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("channel_accounts.id"), index=True
    )  # who sent it: quotas, and unlinked uploads are cleaned up


class CallbackTask(Base):
    """A follow-up call (回访) due after a ticket is resolved."""

    __tablename__ = "callback_tasks"
    __table_args__ = (UniqueConstraint("ticket_id", "round"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)  # one per resolution (reopens start a new round)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), default=CallbackStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    result_text: Mapped[str | None] = mapped_column(Text)
    staff_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    survey_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Survey(Base):
    __tablename__ = "surveys"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    callback_id: Mapped[int | None] = mapped_column(ForeignKey("callback_tasks.id"), unique=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    overall: Mapped[int] = mapped_column(Integer)
    speed: Mapped[int] = mapped_column(Integer)
    attitude: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16), default="resident")  # resident | staff
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class UnderstandingCorrection(Base):
    """A message whose kind or category staff corrected: a training example for the estate's model."""

    __tablename__ = "understanding_corrections"
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    text: Mapped[str] = mapped_column(Text)
    intent: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(32))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
