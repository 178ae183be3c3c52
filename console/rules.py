"""The "Service rules" page: the rules in force (DESIGN §3), read-only, in words rather than setting names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from console.app import page_for
from console.web import Page
from estate.core.rules import ServiceRules
from estate.residents.models import Estate
from locales import N_


@dataclass(frozen=True)
class RuleRow:
    label: str  # msgid
    value: str  # msgid with {placeholders}
    params: dict[str, Any] = field(default_factory=dict)


def rule_rows(rules: ServiceRules) -> list[RuleRow]:
    """One row per rule, in the order of the service manual: deadlines, escalation, follow-up, residents."""
    return [
        RuleRow(
            N_("Repair passed to the department"),
            N_("within {n} minutes"),
            {"n": rules.repair_dispatch_minutes},
        ),
        RuleRow(
            N_("Urgent repair passed to the department"),
            N_("within {n} minutes"),
            {"n": rules.urgent_dispatch_minutes},
        ),
        RuleRow(N_("Complaint passed on and resolved"), N_("before the end of the local day")),
        RuleRow(
            N_("Complaint transferred to another department resolved"),
            N_("within {n} days"),
            {"n": rules.complaint_transfer_days},
        ),
        RuleRow(N_("Inquiry answered"), N_("within {n} hours"), {"n": rules.inquiry_resolve_hours}),
        RuleRow(
            N_("A deadline is shown as due soon"),
            N_("{n} minutes before it"),
            {"n": rules.near_breach_minutes},
        ),
        RuleRow(N_("A missed dispatch deadline goes to"), N_("the customer-service supervisor")),
        RuleRow(N_("A missed resolve deadline goes to"), N_("the deputy general manager")),
        RuleRow(
            N_("An unresolved repair goes to the deputy general manager"),
            N_("{n} hours after its dispatch deadline"),
            {"n": rules.repair_resolve_grace_hours},
        ),
        RuleRow(
            N_("Callback due"), N_("{n} hours after the request is resolved"), {"n": rules.callback_hours}
        ),
        RuleRow(
            N_("A survey answer reopens the request for the supervisor"),
            N_("at {n} or lower (of 5)"),
            {"n": rules.low_rating},
        ),
        RuleRow(
            N_("Satisfaction target"),
            N_("{n}% of answers at 4 or 5"),
            {"n": rules.satisfaction_target_percent},
        ),
        RuleRow(
            N_("A resident may urge a request"),
            N_("once every {n} minutes"),
            {"n": rules.urge_interval_minutes},
        ),
        RuleRow(
            N_("A booking can be cancelled"),
            N_("up to {n} hours before it starts"),
            {"n": rules.booking_cancel_cutoff_hours},
        ),
        RuleRow(
            N_("Quiet hours (reminders wait for the morning)"),
            N_("from {start}:00 to {end}:00 local time"),
            {"start": f"{rules.quiet_start:02d}", "end": f"{rules.quiet_end:02d}"},
        ),
        RuleRow(
            N_("Wrong binding codes allowed per chat"),
            N_("{n} within {minutes} minutes"),
            {"n": rules.binding_max_attempts, "minutes": rules.binding_window_minutes},
        ),
    ]


router = APIRouter()


@router.get("/rules", response_class=HTMLResponse)
async def service_rules(page: Page = Depends(page_for("rules"), scope="function")) -> HTMLResponse:
    """The rules in force, per estate (each estate's rules and time zone)."""
    estates = (await page.session.execute(select(Estate).order_by(Estate.id))).scalars().all()
    sections = [(estate, rule_rows(page.ctx.rules_for(estate))) for estate in estates]
    return page.render(
        "rules.html",
        sections=sections or [(None, rule_rows(page.ctx.rules))],
        default_tz=page.ctx.settings.timezone,
    )
