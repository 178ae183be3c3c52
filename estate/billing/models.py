"""Fees: fee items and which units pay them, bills with their lines, payments and their allocation.

Money is kept in integer fen (cents) so that sums are exact on every engine.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from estate.core.base import Base
from estate.core.types import UTCDateTime


class FeeKind(StrEnum):
    PER_AREA = "per_area"  # unit price per m² per month (物业管理费)
    FIXED = "fixed"  # a fixed amount per unit per month
    PER_QUANTITY = "per_quantity"  # price × quantity assigned to the unit (parking spaces)


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
    __table_args__ = (
        UniqueConstraint("unit_id", "period"),
        # collection rates: the sums of an estate's periods read from the index alone
        Index("ix_bills_collection", "estate_id", "period", "amount_cents", "paid_cents"),
    )
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
