"""Importing bills and payments from spreadsheets (e.g. the history of a previous system).

Bills: one row per fee line (unit, period, item, amount; an Excel date cell in the period column is read as its month); rows
of the same unit and month make one bill. A month that already has a bill for the unit is skipped, never changed. Payments: one row per
payment (unit, amount, paid_at, method, reference); the reference makes a second import a no-op.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing.import_rows import estate_units, paid_at_of, positive_cents, unit_of_row
from estate.billing.models import Bill, BillLine, Payment
from estate.billing.payments import record_payment
from estate.billing.periods import due_date, period_from_cell
from estate.core.clock import Clock
from estate.core.tables import ImportReport, Progress, canonical_value, numbered


async def import_bills(
    session: AsyncSession,
    *,
    clock: Clock,
    estate_id: int,
    rows: Sequence[dict[str, str]],
    progress: Progress | None = None,
) -> ImportReport:
    """Create bills from fee lines; months already billed for a unit are skipped."""
    report = ImportReport()
    estate, units = await estate_units(session, estate_id)
    groups: dict[tuple[int, str], list[tuple[str, int]]] = {}
    for i, row in numbered(rows, progress):
        unit = unit_of_row(row, units, report, i)
        if unit is None:
            continue
        period = period_from_cell(row.get("period") or "")
        if period is None:
            report.error(i, "bad_period", row.get("period") or "")
            continue
        amount = positive_cents(row.get("amount", ""))
        if amount is None:
            report.error(i, "bad_amount", row.get("amount", ""))
            continue
        groups.setdefault((unit.id, period), []).append(((row.get("item") or "").strip() or "-", amount))
    billed = {
        (u, p)
        for u, p in (
            await session.execute(select(Bill.unit_id, Bill.period).where(Bill.estate_id == estate_id))
        ).all()
    }
    for (unit_id, period), lines in groups.items():
        if (unit_id, period) in billed:
            report.skipped += 1
            continue
        bill = Bill(
            unit_id=unit_id,
            estate_id=estate_id,
            period=period,
            amount_cents=sum(a for _, a in lines),
            paid_cents=0,
            due_date=due_date(period, estate.bill_due_day),
            issued_at=clock.now(),
        )
        session.add(bill)
        await session.flush()
        for desc, amount in lines:
            session.add(BillLine(bill_id=bill.id, description=desc, amount_cents=amount))
        report.created += 1
    await session.flush()
    return report


async def import_payments(
    session: AsyncSession,
    *,
    clock: Clock,
    estate_id: int,
    rows: Sequence[dict[str, str]],
    progress: Progress | None = None,
    staff_id: int | None = None,
) -> ImportReport:
    """Record payments; each needs a reference (receipt number), which makes re-imports harmless. The staff
    member running the import (None: the system, e.g. the command line) is the one who recorded them."""
    report = ImportReport()
    estate, units = await estate_units(session, estate_id)
    tz = ZoneInfo(estate.timezone)
    today = clock.now().astimezone(tz).date()
    for i, row in numbered(rows, progress):
        unit = unit_of_row(row, units, report, i)
        if unit is None:
            continue
        amount = positive_cents(row.get("amount", ""))
        if amount is None:
            report.error(i, "bad_amount", row.get("amount", ""))
            continue
        reference = (row.get("reference") or "").strip()
        if not reference:
            report.error(i, "missing_reference")
            continue
        paid_at = paid_at_of(row.get("paid_at", ""), tz) if row.get("paid_at") else clock.now()
        if paid_at is None or paid_at.date() > today or paid_at.date() < date(2000, 1, 1):
            report.error(i, "bad_date", row.get("paid_at", ""))
            continue
        method = canonical_value("method", row["method"]) if row.get("method") else "cash"
        if method is None:
            report.error(i, "bad_method", row.get("method", ""))
            continue
        key = f"import:{estate_id}:{reference}"
        if (
            await session.execute(select(Payment.id).where(Payment.idempotency_key == key))
        ).first() is not None:
            report.skipped += 1
            continue
        await record_payment(
            session,
            clock=clock,
            unit_id=unit.id,
            amount_cents=amount,
            method=method,
            idempotency_key=key,
            note=reference,
            paid_at=paid_at,
            staff_id=staff_id,
        )
        report.created += 1
    return report
