"""The console app: sign-in, the shared page machinery, and the pages of part 1 (tickets, callbacks, admin)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from fastapi import Depends, FastAPI, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import func, select
from sqlalchemy.exc import StatementError

from console import auth
from console.web import HERE, LOCALE_COOKIE, Page, anonymous_render, request_locale
from estate.core.context import Context
from estate.core.db import refused_value
from estate.core.errors import DomainError
from estate.staff.models import Staff
from estate.staff.passwords import change_password
from estate.staff.sessions import authenticate, end_sessions
from estate.tickets.models import CallbackStatus, CallbackTask, Escalation, Ticket, TicketStatus
from locales import LOCALES, N_

WRONG_LOGIN = N_("Wrong user name or password.")
TOO_MANY = N_("Too many failed sign-ins. Please wait 15 minutes and try again.")
log = logging.getLogger("desk.console")
FORM_EXPIRED = N_("The sign-in page has expired. Please sign in again.")


def create_console(ctx: Context) -> FastAPI:
    """The console as an ASGI app, to be mounted at /console."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.ctx = ctx
    app.state.limiter = auth.LoginLimiter()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.exception_handler(auth.NotSignedIn)
    async def _login_first(request: Request, exc: auth.NotSignedIn) -> Response:
        if request.headers.get("HX-Request"):
            return Response(status_code=401, headers={"HX-Redirect": "/console/login"})
        return RedirectResponse("/console/login", status_code=303)

    @app.exception_handler(auth.Forbidden)
    async def _forbidden(request: Request, exc: auth.Forbidden) -> Response:
        return anonymous_render(request, "error.html", status=403, code=403)

    @app.exception_handler(auth.BadCsrf)
    async def _csrf(request: Request, exc: auth.BadCsrf) -> Response:
        return anonymous_render(request, "error.html", status=403, code="csrf")

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        status = 404 if exc.code.endswith("not_found") else 409
        return anonymous_render(request, "error.html", status=status, code=exc.code)

    @app.exception_handler(RequestValidationError)
    async def _unreadable(request: Request, exc: RequestValidationError) -> Response:
        # A hand-made address or form (a word where a number belongs, a missing field): a page, not JSON.
        return anonymous_render(request, "error.html", status=400, code="bad_input")

    @app.exception_handler(OverflowError)
    @app.exception_handler(StatementError)
    async def _refused_value(request: Request, exc: Exception) -> Response:
        # An id beyond the database's integers (a hand-made address) or a NUL typed into a form.
        kind = refused_value(exc)
        if kind is None:
            raise exc
        if kind == "number":
            return anonymous_render(request, "error.html", status=404, code="number_out_of_range")
        return anonymous_render(request, "error.html", status=400, code="bad_input")

    @app.exception_handler(NotSaved)
    async def _not_saved(request: Request, exc: NotSaved) -> Response:
        # The commit failed: say so; never a success page for a change that was lost.
        log.error("console commit failed: %s %s: %r", request.method, request.url.path, exc.__cause__)
        return anonymous_render(request, "error.html", status=500, code="not_saved")

    register(app, ctx)
    from console import admin, fees, notices, reporting, rules, services, tickets

    tickets.register(app, ctx)
    for part in (admin, fees, services, notices, reporting, rules):  # one router per area
        app.include_router(part.router)
    return app


class NotSaved(Exception):
    """A console write's commit failed."""


def page_for(route: str, *, write: bool = False):
    """A dependency: the signed-in staff member's Page, after the role check (and the CSRF check for writes).

    Use it with `scope="function"`: the unit of work then commits when the route returns, before the response
    is sent, so a redirect is followed only after the change is in the database and a failed commit is an
    error page rather than a false success."""

    async def dependency(request: Request) -> AsyncIterator[Page]:
        ctx: Context = request.app.state.ctx
        session = auth.read(ctx.settings.secret_key, request.cookies.get(auth.COOKIE))
        if session is None:
            raise auth.NotSignedIn()
        async with ctx.sessions() as s:
            await s.begin()
            staff = await s.get(Staff, session.staff_id)
            if staff is None or not auth.current(session, staff):
                raise auth.NotSignedIn()
            if not auth.allowed(route, staff):
                raise auth.Forbidden()
            if write:
                await auth.check_csrf(request, session)
            yield Page(
                request=request,
                ctx=ctx,
                session=s,
                staff=staff,
                csrf=session.csrf,
                locale=request_locale(request, staff),
            )
            try:
                await s.commit()  # an error in the route never gets here: closing the session rolls it back
            except Exception as exc:
                raise NotSaved() from exc

    return dependency


def register(app: FastAPI, ctx: Context) -> None:
    https = ctx.settings.base_url.startswith("https://")

    def login_page(request: Request, status: int = 200, **values: str) -> HTMLResponse:
        """The sign-in form, with a CSRF token bound to this browser's login cookie."""
        nonce = auth.login_nonce(request)
        token = auth.login_token(ctx.settings.secret_key, nonce)
        response = anonymous_render(request, "login.html", status=status, login_csrf=token, **values)
        auth.set_login_cookie(response, nonce, secure=https)
        return response

    @app.get("/login", response_class=HTMLResponse)
    async def login_form(request: Request) -> HTMLResponse:
        return login_page(request)

    @app.post("/login")
    async def login(
        request: Request, username: str = Form(""), password: str = Form(""), csrf: str = Form("")
    ) -> Response:
        if not auth.login_form_ok(ctx.settings.secret_key, request, csrf):
            return login_page(request, status=403, error=FORM_EXPIRED, username=username)
        address = request.client.host if request.client else "?"
        limiter: auth.LoginLimiter = app.state.limiter
        if limiter.blocked(username, address):
            return login_page(request, status=429, error=TOO_MANY, username=username)
        async with ctx.sessions() as s:
            staff = await authenticate(s, username=username, password=password)
        if staff is None:
            limiter.failed(username, address)
            return login_page(request, status=401, error=WRONG_LOGIN, username=username)
        limiter.succeeded(username, address)
        cookie, _ = auth.issue(ctx.settings.secret_key, staff)
        response = RedirectResponse("/console/", status_code=303)
        auth.set_cookie(response, cookie, secure=ctx.settings.base_url.startswith("https://"))
        return response

    @app.post("/logout")
    async def logout(page: Page = Depends(page_for("home", write=True), scope="function")) -> Response:
        await end_sessions(page.session, staff_id=page.staff.id)
        response = page.redirect("/login")
        response.delete_cookie(auth.COOKIE, path="/console")
        return response

    @app.get("/", response_class=HTMLResponse)
    async def home(page: Page = Depends(page_for("home"), scope="function")) -> Response:
        if auth.allowed("tickets", page.staff):
            return page.redirect("/tickets")
        if auth.allowed("fees", page.staff):
            return page.redirect("/fees")
        return page.render("home.html")

    @app.get("/lang/{locale}")
    async def switch_language(locale: str, request: Request) -> Response:
        response = RedirectResponse(auth.console_return(request.headers.get("referer")), status_code=303)
        if locale in LOCALES:
            response.set_cookie(
                LOCALE_COOKIE, locale, max_age=365 * 24 * 3600, path="/console", samesite="lax"
            )
        return response

    @app.get("/password", response_class=HTMLResponse)
    async def password_form(page: Page = Depends(page_for("password"), scope="function")) -> HTMLResponse:
        return page.render("password.html")

    @app.post("/password", response_class=HTMLResponse)
    async def password_change(
        old: str = Form(""),
        new: str = Form(""),
        page: Page = Depends(page_for("password", write=True), scope="function"),
    ) -> HTMLResponse:
        try:
            await change_password(
                page.session, clock=page.ctx.clock, staff_id=page.staff.id, old=old, new=new
            )
        except DomainError as exc:
            return page.render("password.html", status=422, error=exc.code)
        # The change ended every session of this staff member; this one carries on with a fresh cookie.
        cookie, fresh = auth.issue(page.ctx.settings.secret_key, page.staff)
        page.csrf = fresh.csrf
        response = page.render("password.html", done=True)
        auth.set_cookie(response, cookie, secure=page.ctx.settings.base_url.startswith("https://"))
        return response

    @app.get("/bell", response_class=HTMLResponse)
    async def bell(page: Page = Depends(page_for("bell"), scope="function")) -> HTMLResponse:
        s, now, staff = page.session, page.ctx.clock.now(), page.staff
        new = (
            await s.execute(select(func.count()).select_from(Ticket).where(Ticket.status == TicketStatus.NEW))
        ).scalar_one()
        escalations = (
            await s.execute(
                select(func.count())
                .select_from(Escalation)
                .join(Ticket, Ticket.id == Escalation.ticket_id)
                .where(
                    Escalation.to_role == staff.role,
                    Ticket.status.in_(
                        [
                            TicketStatus.NEW,
                            TicketStatus.CLAIMED,
                            TicketStatus.DISPATCHED,
                            TicketStatus.IN_PROGRESS,
                        ]
                    ),
                )
            )
        ).scalar_one()
        overdue = (
            await s.execute(
                select(func.count())
                .select_from(CallbackTask)
                .where(CallbackTask.status == CallbackStatus.PENDING, CallbackTask.due_at < now)
            )
        ).scalar_one()
        if staff.role == "technician":
            new = (
                await s.execute(
                    select(func.count())
                    .select_from(Ticket)
                    .where(Ticket.technician_id == staff.id, Ticket.status == TicketStatus.DISPATCHED)
                )
            ).scalar_one()
            overdue = escalations = 0
        return page.render("_bell.html", new=new, escalations=escalations, overdue=overdue)

    @app.get("/healthz", response_class=PlainTextResponse)
    async def healthz() -> str:
        return "ok"
