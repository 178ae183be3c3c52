"""Staff accounts with their role and department, and the audit log of what they did."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from estate.core.base import Base
from estate.core.types import JSONType, UTCDateTime


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


class AuditLog(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
