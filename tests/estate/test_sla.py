"""Deadlines of DESIGN §3 in Beijing time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from estate.tickets.categories import URGENT_CATEGORIES, default_urgency
from estate.tickets.models import TicketKind, Urgency
from estate.tickets.sla import dispatch_deadline, end_of_local_day, resolve_deadline
from tests.conftest import SHANGHAI


def test_complaint_at_2330_beijing_is_due_at_beijing_midnight_not_utc_midnight():
    filed = datetime(2026, 11, 22, 23, 30, tzinfo=SHANGHAI)  # 15:30 UTC
    due = dispatch_deadline(kind=TicketKind.COMPLAINT, urgency=Urgency.NORMAL, created_at=filed, tz=SHANGHAI)
    assert due == datetime(2026, 11, 23, 0, 0, tzinfo=SHANGHAI)
    assert due.astimezone(UTC) == datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
    assert due - filed == timedelta(minutes=30)
    assert resolve_deadline(kind=TicketKind.COMPLAINT, created_at=filed, tz=SHANGHAI) == due


def test_complaint_just_after_midnight_gets_the_whole_day():
    filed = datetime(2026, 11, 23, 0, 5, tzinfo=SHANGHAI)
    assert end_of_local_day(filed, SHANGHAI) == datetime(2026, 11, 24, 0, 0, tzinfo=SHANGHAI)


def test_transferred_complaint_gets_three_days_from_dispatch():
    filed = datetime(2026, 11, 22, 9, 0, tzinfo=SHANGHAI)
    dispatched = filed + timedelta(hours=2)
    due = resolve_deadline(
        kind=TicketKind.COMPLAINT, created_at=filed, tz=SHANGHAI, transferred=True, dispatched_at=dispatched
    )
    assert due == dispatched + timedelta(days=3)


def test_repairs_are_dispatched_within_an_hour_and_urgent_ones_within_15_minutes():
    at = datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI)
    assert dispatch_deadline(kind="repair", urgency="normal", created_at=at, tz=SHANGHAI) == at + timedelta(
        minutes=60
    )
    assert dispatch_deadline(kind="repair", urgency="urgent", created_at=at, tz=SHANGHAI) == at + timedelta(
        minutes=15
    )
    assert dispatch_deadline(kind="suggestion", urgency="normal", created_at=at, tz=SHANGHAI) is None


def test_urgent_categories_make_urgent_repairs():
    assert {"water_leak", "power_cut", "gas_smell", "lift_entrapment"} == URGENT_CATEGORIES
    assert default_urgency("repair", "gas_smell") == "urgent"
    assert default_urgency("repair", "plumbing") == "normal"
    assert default_urgency("complaint", "noise") == "normal"
