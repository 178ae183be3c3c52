"""What every console page shares: the signed-in staff member, their language, templates and responses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession

from console import auth
from console.labels import (
    CHANNEL_LABELS,
    ESCALATION_REASONS,
    EVENT_LABELS,
    KIND_LABELS,
    OCCUPANCY_LABELS,
    OTHER_EVENT,
    PAYMENT_METHODS,
    REFUSALS,
    RESIDENT_ROLES,
    ROLE_LABELS,
    SOURCE_LABELS,
)
from estate.billing.money import fmt_yuan
from estate.core.context import Context
from estate.core.errors import NotFound
from estate.residents.models import Estate
from estate.residents.service import first_estate
from estate.staff.models import Staff
from estate.tickets.categories import category
from locales import LOCALES, Translator, normalize_locale

HERE = Path(__file__).parent
LOCALE_COOKIE = "desk_console_lang"


@cache
def environment(locale: str) -> Environment:
    """One Jinja2 environment per language, with gettext bound to it (autoescaped HTML)."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    t = Translator(locale)
    # Old-style callables: our msgids use {name} placeholders, filled by the Translator (Jinja's new style would use %).
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message, /, **kw: t(message, **kw),
        lambda one, many, n, /, **kw: t.n(one, many, n, **kw),
        newstyle=False,
    )  # type: ignore[attr-defined]
    env.filters["yuan"] = fmt_yuan
    env.globals.update(kind_labels=KIND_LABELS, event_labels=EVENT_LABELS, other_event=OTHER_EVENT)
    env.globals.update(role_labels=ROLE_LABELS, escalation_reasons=ESCALATION_REASONS, refusals=REFUSALS)
    env.globals.update(
        occupancy_labels=OCCUPANCY_LABELS,
        resident_roles=RESIDENT_ROLES,
        channel_labels=CHANNEL_LABELS,
        payment_methods=PAYMENT_METHODS,
        source_labels=SOURCE_LABELS,
    )

    def category_label(kind: str, code: str) -> str:
        found = category(kind, code)
        return t(found.label) if found else code

    env.globals["category_label"] = category_label
    return env


@dataclass
class Page:
    """One request of a signed-in staff member."""

    request: Request
    ctx: Context
    session: AsyncSession
    staff: Staff
    csrf: str
    locale: str

    @property
    def t(self) -> Translator:
        return Translator(self.locale)

    @property
    def tz(self) -> ZoneInfo:
        return self.ctx.settings.tz

    def local(self, at: datetime | None, fmt: str = "%m-%d %H:%M") -> str:
        return at.astimezone(self.tz).strftime(fmt) if at else ""

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        html = (
            environment(self.locale)
            .get_template(template)
            .render(
                staff=self.staff,
                csrf=self.csrf,
                locale=self.locale,
                locales=LOCALES,
                local=self.local,
                now=self.ctx.clock.now(),
                can=lambda route: auth.allowed(route, self.staff),
                request=self.request,
                **values,
            )
        )
        return HTMLResponse(html, status_code=status)

    def redirect(self, path: str) -> RedirectResponse:
        if self.request.headers.get("HX-Request"):
            response = RedirectResponse(path, status_code=303)
            response.headers["HX-Redirect"] = "/console" + path
            return response
        return RedirectResponse("/console" + path, status_code=303)


async def estate_of(page: Page) -> Estate:
    """The estate the console's estate-wide pages show: the first one (the console serves one estate)."""
    estate = await first_estate(page.session)
    if estate is None:
        raise NotFound("estate_not_found")
    return estate


def request_locale(request: Request, staff: Staff | None = None) -> str:
    chosen = request.cookies.get(LOCALE_COOKIE) or (staff.locale if staff else None)
    return normalize_locale(chosen or (request.headers.get("accept-language") or "").split(",")[0] or None)


def anonymous_render(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    locale = request_locale(request)
    html = (
        environment(locale)
        .get_template(template)
        .render(staff=None, csrf="", locale=locale, locales=LOCALES, request=request, **values)
    )
    return HTMLResponse(html, status_code=status)


Handler = Callable[..., Any]
