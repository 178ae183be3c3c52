"""Voiding a bill issued by mistake (作废): a staff member gives a reason, the bill and its lines go, and the audit
log keeps what the bill was, who voided it and why. A bill with any payment against it cannot be voided.

Once voided a bill no longer counts anywhere (arrears, reminders, statements, collection rates): the bills
table holds only bills that stand. The unit's page lists its voided bills from the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing.models import Bill, BillLine, Payment, PaymentAllocation
from estate.core.clock import Clock
from estate.core.errors import NotFound, ValidationFailed
from estate.residents.models import Unit
from estate.staff.audit import audit
from estate.staff.models import AuditLog, Staff

VOID_ACTION = "bill.void"


async def _refuse_paid(session: AsyncSession, bill: Bill, unit: Unit) -> None:
    """A bill with money against it (paid, part-paid, or settled from the prepaid balance) stays."""
    allocated = (
        await session.execute(
            select(func.coalesce(func.sum(PaymentAllocation.amount_cents), 0)).where(
                PaymentAllocation.bill_id == bill.id
            )
        )
    ).scalar_one()
    paid = max(bill.paid_cents, int(allocated))
    if paid > 0:
        raise ValidationFailed("bill_has_payments", unit=unit.code, period=bill.period, paid_cents=paid)


async def void_bill(
    session: AsyncSession, *, clock: Clock, bill_id: int, staff_id: int, reason: str
) -> dict[str, object]:
    """Void an unpaid bill with a reason (required); returns what the audit log recorded about it, with the
    unit's code. A refusal (`ValidationFailed`) names the unit too, so the page can lead back to it."""
    bill = await session.get(Bill, bill_id, with_for_update=True)
    if bill is None:
        raise NotFound("bill_not_found")
    unit = await session.get(Unit, bill.unit_id)
    assert unit is not None
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("void_needs_reason", unit=unit.code)
    await _refuse_paid(session, bill, unit)
    lines = (await session.execute(select(BillLine).where(BillLine.bill_id == bill.id))).scalars().all()
    detail: dict[str, object] = {
        "reason": reason,
        "period": bill.period,
        "amount_cents": bill.amount_cents,
        "due_date": bill.due_date.isoformat(),
        "lines": [{"description": ln.description, "amount_cents": ln.amount_cents} for ln in lines],
    }
    await session.execute(update(Payment).where(Payment.bill_id == bill.id).values(bill_id=None))
    await session.execute(delete(BillLine).where(BillLine.bill_id == bill.id))
    await session.delete(bill)
    await session.flush()
    await audit(
        session,
        clock=clock,
        staff_id=staff_id,
        action=VOID_ACTION,
        target_type="unit",
        target_id=unit.code,
        detail=detail,
    )
    return {**detail, "unit": unit.code}


@dataclass
class VoidedBill:
    period: str
    amount_cents: int
    reason: str
    staff_name: str
    at: datetime


async def voided_bills(session: AsyncSession, *, unit_code: str) -> list[VoidedBill]:
    """The unit's voided bills as the audit log keeps them, the latest first."""
    rows = await session.execute(
        select(AuditLog, Staff.display_name)
        .outerjoin(Staff, Staff.id == AuditLog.staff_id)
        .where(
            AuditLog.action == VOID_ACTION, AuditLog.target_type == "unit", AuditLog.target_id == unit_code
        )
        .order_by(AuditLog.id.desc())
    )
    return [
        VoidedBill(
            period=str(entry.detail.get("period", "")),
            amount_cents=int(entry.detail.get("amount_cents", 0)),
            reason=str(entry.detail.get("reason", "")),
            staff_name=name or "",
            at=entry.at,
        )
        for entry, name in rows.all()
        if entry.detail
    ]
