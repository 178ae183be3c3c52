"""The resident's fees: this month's bill, arrears, recent payments, the prepaid balance, how to pay."""

from __future__ import annotations

from dialogs.base import Go, Step
from dialogs.choices import MENU, nav
from dialogs.registry import flow
from dialogs.steps import Fees, Menu
from dialogs.turn import Turn
from dialogs.types import Event, text_of
from estate.billing.money import fmt_yuan
from estate.billing.payments import METHOD_LABELS
from estate.billing.statements import unit_statement


async def fees_prompt(turn: Turn) -> None:
    t = turn.t
    st = await unit_statement(
        turn.session,
        unit_id=turn.me.unit_id,
        as_of=turn.now.astimezone(turn.tz).date(),
        payments_limit=3,
    )
    lines = [t("Fees of {unit}", unit=st.unit.code)]
    if st.current is not None:
        lines.append(
            t(
                "Bill for {period} (due {due}): {amount}, paid {paid}",
                period=st.current.period,
                due=st.current.due_date.isoformat(),
                amount=fmt_yuan(st.current.amount_cents),
                paid=fmt_yuan(st.current.paid_cents),
            )
        )
        lines += [f"  · {ln.description}: {fmt_yuan(ln.amount_cents)}" for ln in st.lines]
    if st.debts:
        lines.append(t("Outstanding, {total} in all:", total=fmt_yuan(st.outstanding_cents)))
        lines += [
            f"  · {d.period}: {fmt_yuan(d.outstanding_cents)}"
            + (" " + t("({days} days overdue)", days=d.age_days) if d.age_days else "")
            for d in st.debts
        ]
    else:
        lines.append(t("You have nothing outstanding. Thank you!"))
    if st.payments:
        lines.append(t("Recent payments:"))
        lines += [
            f"  · {turn.local(p.paid_at, '%Y-%m-%d')} {fmt_yuan(p.amount_cents)} ({t(METHOD_LABELS.get(p.method, p.method))})"
            for p in st.payments
        ]
    lines.append(t("Prepaid balance: {amount}", amount=fmt_yuan(st.prepaid_cents)))
    lines.append(
        t(
            "How to pay: at the front desk of the customer service centre (cash, card, WeChat Pay or Alipay), "
            "or by bank transfer quoting your unit number."
        )
    )
    turn.say("\n".join(lines), nav(t, MENU))


async def back_to_menu(turn: Turn, event: Event) -> Go | None:
    return Go(Menu.START) if event.payload == MENU or text_of(event) else None


flow(Fees, {Fees.START: Step(fees_prompt, back_to_menu)})
