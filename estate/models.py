"""The estate's data: units and residents, staff, tickets, fees, paid services, callbacks, outbox.

Money is kept in integer fen (cents) so that sums are exact on every engine. Timestamps are UTC.
Enumerations are plain strings checked by the services, which keeps migrations simple.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from estate.types import JSONType, UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# ---------------------------------------------------------------- enumerations


class Occupancy(StrEnum):
    OCCUPIED = "occupied"
    VACANT = "vacant"
    DECORATING = "decorating"


class ResidentRole(StrEnum):
    OWNER = "owner"
    TENANT = "tenant"


class Channel(StrEnum):
    TELEGRAM = "telegram"
    WECHAT = "wechat"
    WEBCHAT = "webchat"


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    DEPUTY = "deputy"
    TECHNICIAN = "technician"
    CASHIER = "cashier"
    ADMIN = "admin"


class Department(StrEnum):
    ENGINEERING = "engineering"  # 工程部
    CLEANING = "cleaning"  # 保洁
    SECURITY = "security"  # 保安
    GREENING = "greening"  # 绿化
    SERVICE = "service"  # 客服中心 itself


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


class BookingStatus(StrEnum):
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    ASSIGNED = "assigned"
    DONE = "done"
    CANCELLED = "cancelled"


class FeeKind(StrEnum):
    PER_AREA = "per_area"  # unit price per m² per month (物业管理费)
    FIXED = "fixed"  # a fixed amount per unit per month
    PER_QUANTITY = "per_quantity"  # price × quantity assigned to the unit (parking spaces)


class OutboxStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"  # leased by a sender, not tried yet: safe to hand back
    ATTEMPTING = "attempting"  # the network call may have happened: never resent blindly
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"


class CallbackStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"


class NoticeTarget(StrEnum):
    ESTATE = "estate"
    BUILDING = "building"
    ARREARS = "arrears"


# ---------------------------------------------------------------- estate and people


class Estate(Base):
    __tablename__ = "estates"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    phone: Mapped[str | None] = mapped_column(String(32))
    bill_due_day: Mapped[int] = mapped_column(Integer, default=15)
    buildings: Mapped[list[Building]] = relationship(back_populates="estate")


class Building(Base):
    __tablename__ = "buildings"
    __table_args__ = (UniqueConstraint("estate_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    estate: Mapped[Estate] = relationship(back_populates="buildings")
    units: Mapped[list[Unit]] = relationship(back_populates="building")


class Unit(Base):
    __tablename__ = "units"
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # e.g. "3-1502": building 3, room 1502
    floor: Mapped[int] = mapped_column(Integer, default=1)
    area_m2: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    occupancy: Mapped[str] = mapped_column(String(16), default=Occupancy.OCCUPIED)
    owner_name: Mapped[str | None] = mapped_column(String(64))
    prepaid_cents: Mapped[int] = mapped_column(Integer, default=0)
    building: Mapped[Building] = relationship(back_populates="units")
    residents: Mapped[list[Resident]] = relationship(back_populates="unit")


class Resident(Base):
    __tablename__ = "residents"
    __table_args__ = (UniqueConstraint("unit_id", "phone"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    role: Mapped[str] = mapped_column(String(16), default=ResidentRole.OWNER)
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unit: Mapped[Unit] = relationship(back_populates="residents")


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


class BindingCode(Base):
    """A one-time code that proves a chat identity belongs to a resident; only its hash is kept."""

    __tablename__ = "binding_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    code_hash: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("channel_accounts.id"))
    created_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class BindingAttempt(Base):
    __tablename__ = "binding_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    channel_account_id: Mapped[int] = mapped_column(ForeignKey("channel_accounts.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    method: Mapped[str] = mapped_column(String(16))  # code | phone
    success: Mapped[bool] = mapped_column(Boolean)
    client_address: Mapped[str | None] = mapped_column(String(64), index=True)  # web chat's IP


class Staff(Base):
    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    department: Mapped[str | None] = mapped_column(String(16))
    estate_id: Mapped[int | None] = mapped_column(ForeignKey("estates.id"))
    password_hash: Mapped[str] = mapped_column(String(256))
    phone: Mapped[str | None] = mapped_column(String(32))
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # In every console cookie; bumped on logout and password change so older cookies stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


# ---------------------------------------------------------------- tickets


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_queue", "estate_id", "status", "created_at"),
        Index("ix_tickets_dispatch_due", "status", "dispatch_due"),
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
    """An escalation applied to a ticket; unique per (ticket, level, reason) so each happens once."""

    __tablename__ = "escalations"
    __table_args__ = (UniqueConstraint("ticket_id", "level", "reason"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))  # dispatch_breach | resolve_breach | major | low_rating
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
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)


# ---------------------------------------------------------------- paid services


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


# ---------------------------------------------------------------- billing


class FeeItem(Base):
    __tablename__ = "fee_items"
    __table_args__ = (UniqueConstraint("estate_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"))
    code: Mapped[str] = mapped_column(String(32))  # management | parking | shared_water | ...
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    unit_price_cents: Mapped[int] = mapped_column(Integer)  # per m² for per_area, per unit/quantity otherwise
    applies_to_vacant: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class UnitFee(Base):
    """A fee charged per quantity to one unit (e.g. two parking spaces)."""

    __tablename__ = "unit_fees"
    __table_args__ = (UniqueConstraint("unit_id", "fee_item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    fee_item_id: Mapped[int] = mapped_column(ForeignKey("fee_items.id"))
    quantity: Mapped[int] = mapped_column(Integer, default=1)


class Bill(Base):
    __tablename__ = "bills"
    __table_args__ = (UniqueConstraint("unit_id", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"), index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)  # "2026-11"
    amount_cents: Mapped[int] = mapped_column(Integer, default=0)
    paid_cents: Mapped[int] = mapped_column(Integer, default=0)
    due_date: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lines: Mapped[list[BillLine]] = relationship(back_populates="bill", order_by="BillLine.id")

    @property
    def outstanding_cents(self) -> int:
        return self.amount_cents - self.paid_cents


class BillLine(Base):
    __tablename__ = "bill_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), index=True)
    fee_item_id: Mapped[int | None] = mapped_column(ForeignKey("fee_items.id"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), unique=True)
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal(1))
    amount_cents: Mapped[int] = mapped_column(Integer)
    bill: Mapped[Bill] = relationship(back_populates="lines")


class Payment(Base):
    __tablename__ = "payments"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    bill_id: Mapped[int | None] = mapped_column(ForeignKey("bills.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(16), default="cash")  # cash | wechat | alipay | bank | prepaid
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    note: Mapped[str | None] = mapped_column(Text)


class PaymentAllocation(Base):
    """How much of a payment went to which bill; the rest of a payment went to the prepaid balance."""

    __tablename__ = "payment_allocations"
    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)


# ---------------------------------------------------------------- notices, outbox, audit, dialogs


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
    """A message shown in the web chat, in order; polled by the mobile page with `after=<id>`."""

    __tablename__ = "webchat_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    channel_account_id: Mapped[int] = mapped_column(ForeignKey("channel_accounts.id"), index=True)
    direction: Mapped[str] = mapped_column(String(4))  # in | out
    text: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"), unique=True)


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


class AuditLog(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class Counter(Base):
    """Named sequences (ticket numbers per day and kind), advanced atomically."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class JobRun(Base):
    """The last instant each scheduled job ran for, so that a missed run catches up once."""

    __tablename__ = "job_runs"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_run_for: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_result: Mapped[str | None] = mapped_column(Text)


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


class Report(Base):
    """A generated report (collection on the 5th, arrears on the 28th), kept for viewing and download."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("estate_id", "kind", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"))
    kind: Mapped[str] = mapped_column(String(32))  # collection | arrears
    period: Mapped[str] = mapped_column(String(7))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
