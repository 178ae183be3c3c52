"""Paid services: the catalogue, the time slots and the residents' bookings."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from estate.core.base import Base
from estate.core.types import UTCDateTime


class BookingStatus(StrEnum):
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    ASSIGNED = "assigned"
    DONE = "done"
    CANCELLED = "cancelled"


class ServiceItem(Base):
    __tablename__ = "service_items"
    __table_args__ = (UniqueConstraint("estate_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))  # in the estate's language, as staff typed it
    name_en: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    price_cents: Mapped[int] = mapped_column(Integer)
    price_unit: Mapped[str] = mapped_column(String(16), default="time")  # time | hour | m2 | item
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    department: Mapped[str | None] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ServiceSlot(Base):
    __tablename__ = "service_slots"
    __table_args__ = (UniqueConstraint("service_item_id", "start_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    service_item_id: Mapped[int] = mapped_column(ForeignKey("service_items.id"), index=True)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)


class Booking(Base):
    __tablename__ = "bookings"
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    service_item_id: Mapped[int] = mapped_column(ForeignKey("service_items.id"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("service_slots.id"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    channel_account_id: Mapped[int | None] = mapped_column(ForeignKey("channel_accounts.id"))
    price_cents: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=BookingStatus.REQUESTED)
    notes: Mapped[str | None] = mapped_column(Text)
    technician_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
