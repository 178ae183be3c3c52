"""Recording payments (partial or full, by any method), each once however often it is submitted.

Money is integer fen. A payment goes to the unit's open bills, oldest debt first or the bill named
first; what it leaves over goes to the unit's prepaid balance (see `estate.billing.allocation`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing.allocation import allocate, open_bills
from estate.billing.models import Payment
from estate.core.clock import Clock
from estate.core.db import insert_for
from estate.core.errors import NotFound, ValidationFailed
from estate.residents.models import Unit
from estate.staff.audit import audit
from locales import N_

METHODS = ("cash", "wechat", "alipay", "bank", "card", "prepaid", "import")
# How each method is named to residents and staff (gettext msgids; the dialogs and the console translate them).
METHOD_LABELS = {
    "cash": N_("cash"),
    "wechat": N_("WeChat Pay"),
    "alipay": N_("Alipay"),
    "bank": N_("bank transfer"),
    "card": N_("card"),
    "prepaid": N_("prepaid balance"),
    "import": N_("imported"),
}


async def _insert_payment(
    session: AsyncSession, *, idempotency_key: str | None, **values: Any
) -> tuple[Payment, bool]:
    """The new payment and True, or, for an idempotency key already used, the first payment and False."""
    if not idempotency_key:
        payment = Payment(**values)
        session.add(payment)
        await session.flush()
        return payment, True
    stmt = (
        insert_for(session)(Payment)
        .values(idempotency_key=idempotency_key, **values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(Payment.id)
    )
    new_id = (await session.execute(stmt)).scalar_one_or_none()
    if new_id is None:  # a double click: the first payment stands
        existing = await session.execute(select(Payment).where(Payment.idempotency_key == idempotency_key))
        return existing.scalar_one(), False
    inserted = await session.get(Payment, new_id)
    assert inserted is not None
    return inserted, True


async def record_payment(
    session: AsyncSession,
    *,
    clock: Clock,
    unit_id: int,
    amount_cents: int,
    method: str = "cash",
    staff_id: int | None = None,
    bill_id: int | None = None,
    idempotency_key: str | None = None,
    note: str | None = None,
    paid_at: datetime | None = None,
) -> Payment:
    """Record a payment (partial or full); the same idempotency key twice records it once."""
    if amount_cents <= 0:
        raise ValidationFailed("bad_amount", amount=amount_cents)
    if method not in METHODS:
        raise ValidationFailed("bad_method", method=method)
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("unit_not_found")
    payment, created = await _insert_payment(
        session,
        idempotency_key=idempotency_key,
        unit_id=unit_id,
        bill_id=bill_id,
        amount_cents=amount_cents,
        method=method,
        paid_at=paid_at or clock.now(),
        staff_id=staff_id,
        note=note,
    )
    if not created:
        return payment
    bills = await open_bills(session, unit_id)
    if bill_id is not None:
        bills.sort(key=lambda b: (b.id != bill_id, b.period))
    left = await allocate(session, payment=payment, bills=bills, amount=amount_cents)
    if left > 0:
        unit.prepaid_cents += left
    await session.flush()
    await audit(
        session,
        clock=clock,
        staff_id=staff_id,
        action="payment.record",
        target_type="unit",
        target_id=unit.code,
        detail={"amount_cents": amount_cents, "method": method, "payment_id": payment.id},
    )
    return payment
