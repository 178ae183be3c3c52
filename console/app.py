"""The console app: its routers, one per area, its error pages, and the signed-in page every route depends on."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from fastapi.staticfiles import StaticFiles

from console import auth, signin_guard
from console.errors import NotSaved, add_error_pages
from console.web import HERE, Page, request_locale
from estate.core.context import Context
from estate.staff.models import Staff


def create_console(ctx: Context) -> FastAPI:
    """The console as an ASGI app, to be mounted at /console."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.ctx = ctx
    app.state.limiter = signin_guard.LoginLimiter()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    add_error_pages(app)
    from console import (
        admin,
        archive,
        audit,
        bell,
        callbacks,
        fees,
        inbox,  # live chats (issue #13)
        live,  # the live console's events (issue #13)
        notices,
        queue,
        reporting,
        rules,
        services,
        signin,
        ticket_actions,
        ticket_page,
        units,
    )

    areas = (
        signin,
        bell,
        queue,
        ticket_page,
        ticket_actions,
        callbacks,
        audit,
        admin,
        fees,
        units,
        archive,
        services,
        notices,
    )
    from console import register  # the front desk's register (issue #14)

    for part in (register, *areas, reporting, rules, inbox, live):  # one router per area
        app.include_router(part.router)
    app.add_api_route("/healthz", healthz, response_class=PlainTextResponse)
    return app


async def healthz() -> str:
    return "ok"


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
