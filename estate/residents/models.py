"""The property and its people: estates, buildings, units, residents, and the binding codes that link a
chat account to a resident.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from estate.core.base import Base
from estate.core.types import JSONType, UTCDateTime


class Occupancy(StrEnum):
    OCCUPIED = "occupied"
    VACANT = "vacant"
    DECORATING = "decorating"


class ResidentRole(StrEnum):
    OWNER = "owner"
    TENANT = "tenant"


class Estate(Base):
    __tablename__ = "estates"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    phone: Mapped[str | None] = mapped_column(String(32))
    bill_due_day: Mapped[int] = mapped_column(Integer, default=15)
    rule_overrides: Mapped[dict[str, int] | None] = mapped_column(JSONType)  # see estate.core.rules
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
