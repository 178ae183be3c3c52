"""The console's event feed and the staff's read marks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from estate.core.base import Base
from estate.core.types import UTCDateTime


class ConsoleEvent(Base):
    """Something the open console pages should show without a reload (a resident's message, an urge, a new
    urgent ticket, a live chat waiting). Every web process reads the same table, so a page connected to
    one process hears of what another process (or a worker) recorded; old rows are pruned by a job."""

    __tablename__ = "console_events"
    __table_args__ = (Index("ix_console_events_estate", "estate_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"))
    kind: Mapped[str] = mapped_column(String(32))
    ticket_id: Mapped[int | None] = mapped_column(Integer)
    live_chat_id: Mapped[int | None] = mapped_column(Integer)
    staff_id: Mapped[int | None] = mapped_column(Integer)  # who caused it, when staff did
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class StaffRead(Base):
    """When a staff member last opened a ticket or a live chat: newer resident activity shows as unread."""

    __tablename__ = "staff_reads"
    __table_args__ = (UniqueConstraint("staff_id", "subject", "subject_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    subject: Mapped[str] = mapped_column(String(8))  # ticket | live
    subject_id: Mapped[int] = mapped_column(Integer)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime)
