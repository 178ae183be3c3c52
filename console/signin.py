"""Getting in and about: the sign-in form, signing out, the home page, the language and one's own password."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console import auth, signin_guard
from console.app import page_for
from console.web import LOCALE_COOKIE, Page, anonymous_render
from estate.core.context import Context
from estate.core.errors import DomainError
from estate.staff.passwords import MIN_PASSWORD, change_password
from estate.staff.sessions import authenticate, end_sessions
from locales import LOCALES, N_

WRONG_LOGIN = N_("Wrong user name or password.")
TOO_MANY = N_("Too many failed sign-ins. Please wait 15 minutes and try again.")
FORM_EXPIRED = N_("The sign-in page has expired. Please sign in again.")

router = APIRouter()


def _secure(ctx: Context) -> bool:
    return ctx.settings.base_url.startswith("https://")


def login_page(request: Request, status: int = 200, **values: str) -> HTMLResponse:
    """The sign-in form, with a CSRF token bound to this browser's login cookie."""
    ctx: Context = request.app.state.ctx
    nonce = signin_guard.login_nonce(request)
    token = signin_guard.login_token(ctx.settings.secret_key, nonce)
    response = anonymous_render(request, "login.html", status=status, login_csrf=token, **values)
    signin_guard.set_login_cookie(response, nonce, secure=_secure(ctx))
    return response


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request) -> HTMLResponse:
    return login_page(request)


@router.post("/login")
async def login(
    request: Request, username: str = Form(""), password: str = Form(""), csrf: str = Form("")
) -> Response:
    ctx: Context = request.app.state.ctx
    if not signin_guard.login_form_ok(ctx.settings.secret_key, request, csrf):
        return login_page(request, status=403, error=FORM_EXPIRED, username=username)
    address = request.client.host if request.client else "?"
    limiter: signin_guard.LoginLimiter = request.app.state.limiter
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
    auth.set_cookie(response, cookie, secure=_secure(ctx))
    return response


@router.post("/logout")
async def logout(page: Page = Depends(page_for("home", write=True), scope="function")) -> Response:
    await end_sessions(page.session, staff_id=page.staff.id)
    response = page.redirect("/login")
    response.delete_cookie(auth.COOKIE, path="/console")
    return response


@router.get("/", response_class=HTMLResponse)
async def home(page: Page = Depends(page_for("home"), scope="function")) -> Response:
    if auth.allowed("tickets", page.staff):
        return page.redirect("/tickets")
    if auth.allowed("fees", page.staff):
        return page.redirect("/fees")
    return page.render("home.html")


def console_return(referer: str | None) -> str:
    """Where to go back to after switching language: the Referer's console path, never another site or part."""
    parts = urlsplit(referer or "")
    path = parts.path
    inside = path == "/console" or path.startswith("/console/")
    odd = "\\" in path or ".." in unquote(path) or any(ord(ch) < 0x20 for ch in referer or "")
    if not inside or odd:
        return "/console/"
    return path + (f"?{parts.query}" if parts.query else "")


@router.get("/lang/{locale}")
async def switch_language(locale: str, request: Request) -> Response:
    response = RedirectResponse(console_return(request.headers.get("referer")), status_code=303)
    if locale in LOCALES:
        response.set_cookie(LOCALE_COOKIE, locale, max_age=365 * 24 * 3600, path="/console", samesite="lax")
    return response


@router.get("/password", response_class=HTMLResponse)
async def password_form(page: Page = Depends(page_for("password"), scope="function")) -> HTMLResponse:
    return page.render("password.html", min_length=MIN_PASSWORD)


@router.post("/password", response_class=HTMLResponse)
async def password_change(
    old: str = Form(""),
    new: str = Form(""),
    page: Page = Depends(page_for("password", write=True), scope="function"),
) -> HTMLResponse:
    try:
        await change_password(page.session, clock=page.ctx.clock, staff_id=page.staff.id, old=old, new=new)
    except DomainError as exc:
        return page.render("password.html", status=422, error=exc.code, min_length=MIN_PASSWORD)
    # The change ended every session of this staff member; this one carries on with a fresh cookie.
    cookie, fresh = auth.issue(page.ctx.settings.secret_key, page.staff)
    page.csrf = fresh.csrf
    response = page.render("password.html", done=True, min_length=MIN_PASSWORD)
    auth.set_cookie(response, cookie, secure=_secure(page.ctx))
    return response
