"""Stored report files (collection, arrears) for staff to download."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from estate.core.base import Base
from estate.core.types import JSONType, UTCDateTime


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
