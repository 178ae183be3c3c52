"""Money in integer fen: parsing and formatting."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from estate.core.errors import ValidationFailed


def yuan_to_cents(value: str | int | float | Decimal) -> int:
    """'1,234.5' -> 123450; raises ValidationFailed('bad_amount') for anything that is not an amount,
    including a figure finer than a fen ('12.345'): a typo is refused rather than silently rounded."""
    try:
        amount = Decimal(str(value).replace(",", "").replace("¥", "").replace("￥", "").strip())
    except InvalidOperation:
        raise ValidationFailed("bad_amount", value=str(value))
    if not amount.is_finite():
        raise ValidationFailed("bad_amount", value=str(value))
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValidationFailed("bad_amount", value=str(value))
    return int(cents)


def fmt_yuan(cents: int) -> str:
    """123450 -> '¥1,234.50' (negative amounts keep their sign)."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}¥{cents // 100:,}.{cents % 100:02d}"


def round_cents(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
