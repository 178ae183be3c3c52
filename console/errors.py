"""How the console answers what goes wrong: sign-in first, forbidden, bad input, refused values, lost commits."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException

from console import auth
from console.web import anonymous_render
from estate.core.db import refused_value
from estate.core.errors import DomainError

log = logging.getLogger("desk.console")


class NotSaved(Exception):
    """A console write's commit failed."""


async def _login_first(request: Request, exc: Exception) -> Response:
    if request.headers.get("HX-Request"):
        return Response(status_code=401, headers={"HX-Redirect": "/console/login"})
    return RedirectResponse("/console/login", status_code=303)


async def _forbidden(request: Request, exc: Exception) -> Response:
    return anonymous_render(request, "error.html", status=403, code=403)


async def _csrf(request: Request, exc: Exception) -> Response:
    return anonymous_render(request, "error.html", status=403, code="csrf")


async def _domain(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    status = 404 if exc.code.endswith("not_found") else 409
    return anonymous_render(request, "error.html", status=status, code=exc.code)


async def _unreadable(request: Request, exc: Exception) -> Response:
    # A hand-made address or form (a word where a number belongs, a missing field): a page, not JSON.
    return anonymous_render(request, "error.html", status=400, code="bad_input")


async def _refused_value(request: Request, exc: Exception) -> Response:
    # An id beyond the database's integers (a hand-made address) or a NUL typed into a form.
    kind = refused_value(exc)
    if kind is None:
        raise exc
    if kind == "number":
        return anonymous_render(request, "error.html", status=404, code="number_out_of_range")
    return anonymous_render(request, "error.html", status=400, code="bad_input")


async def _http(request: Request, exc: Exception) -> Response:
    # An address the console does not have, or a method it does not take there: a page, not JSON.
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code not in (404, 405):
        return Response(status_code=exc.status_code, headers=exc.headers)
    return anonymous_render(request, "error.html", status=exc.status_code, code=f"http_{exc.status_code}")


async def _not_saved(request: Request, exc: Exception) -> Response:
    # The commit failed: say so; never a success page for a change that was lost.
    log.error("console commit failed: %s %s: %r", request.method, request.url.path, exc.__cause__)
    return anonymous_render(request, "error.html", status=500, code="not_saved")


def add_error_pages(app: FastAPI) -> None:
    """Answer each of these errors with the console's page (or redirect) for it."""
    app.add_exception_handler(auth.NotSignedIn, _login_first)
    app.add_exception_handler(auth.Forbidden, _forbidden)
    app.add_exception_handler(auth.BadCsrf, _csrf)
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(RequestValidationError, _unreadable)
    app.add_exception_handler(OverflowError, _refused_value)
    app.add_exception_handler(StatementError, _refused_value)
    app.add_exception_handler(NotSaved, _not_saved)
    app.add_exception_handler(StarletteHTTPException, _http)
