"""Staff sign-in: a signed, httponly, SameSite session cookie; CSRF tokens; a login rate limit; roles."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from estate.staff.models import Role, Staff
from estate.staff.service import normalize_username

COOKIE = "desk_staff"
LOGIN_COOKIE = "desk_login"  # a random nonce; the sign-in form carries its HMAC (login CSRF)
MAX_AGE = 12 * 3600
LOGIN_LIMIT = 5  # failed sign-ins per user name and address …
LOGIN_WINDOW = 15 * 60  # … within this many seconds

R = Role


def roles(*names: str) -> set[str]:
    return set(names)


STAFF = roles(R.AGENT, R.SUPERVISOR, R.MANAGER, R.DEPUTY, R.ADMIN)
EVERYONE = STAFF | roles(R.TECHNICIAN, R.CASHIER)

# Which roles may use each page: the one table every route checks, and the role-matrix test reads.
ROUTE_ROLES: dict[str, set[str]] = {
    "home": EVERYONE,
    "password": EVERYONE,
    "tickets": STAFF | roles(R.TECHNICIAN),
    "ticket": STAFF | roles(R.TECHNICIAN),
    "ticket.claim": STAFF,
    "ticket.dispatch": STAFF,
    "ticket.reclassify": STAFF,
    "ticket.reply": STAFF,
    "ticket.note": STAFF | roles(R.TECHNICIAN),
    "ticket.start": STAFF | roles(R.TECHNICIAN),
    "ticket.resolve": STAFF | roles(R.TECHNICIAN),
    "ticket.reopen": roles(R.SUPERVISOR, R.MANAGER, R.DEPUTY, R.ADMIN, R.AGENT),
    "ticket.close": roles(R.SUPERVISOR, R.MANAGER, R.DEPUTY, R.ADMIN),
    "callbacks": STAFF,
    "bell": EVERYONE,
    "audit": roles(R.MANAGER, R.ADMIN),
    "staff": roles(R.ADMIN),
    "rules": roles(R.MANAGER, R.ADMIN),
    "attachment": STAFF | roles(R.TECHNICIAN),
    # part 2: fees, archive, paid services, notices, dashboard, reports
    "fees": roles(R.CASHIER, R.SUPERVISOR, R.MANAGER, R.DEPUTY, R.ADMIN),
    "fees.pay": roles(R.CASHIER, R.ADMIN),
    "fees.generate": roles(R.CASHIER, R.MANAGER, R.ADMIN),
    "fees.remind": roles(R.CASHIER, R.SUPERVISOR, R.MANAGER, R.ADMIN),
    "archive": STAFF | roles(R.CASHIER),
    "archive.binding": STAFF,
    "archive.import": roles(R.MANAGER, R.ADMIN),
    "services": STAFF,
    "notices": roles(R.AGENT, R.SUPERVISOR, R.MANAGER, R.ADMIN),
    "dashboard": roles(R.SUPERVISOR, R.MANAGER, R.DEPUTY, R.ADMIN),
    "reports": roles(R.CASHIER, R.SUPERVISOR, R.MANAGER, R.DEPUTY, R.ADMIN),
}


@dataclass
class Session:
    staff_id: int
    csrf: str
    version: int  # the staff member's session_version when it was issued


class Forbidden(Exception):
    """The signed-in staff member's role may not use this page."""


class NotSignedIn(Exception):
    """No valid session: go to the sign-in page."""


class BadCsrf(Exception):
    """A state-changing request without the session's CSRF token."""


def serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="desk-console-session")


def issue(secret: str, staff: Staff) -> tuple[str, Session]:
    session = Session(staff_id=staff.id, csrf=secrets.token_urlsafe(24), version=staff.session_version)
    data = {"sid": session.staff_id, "csrf": session.csrf, "v": session.version}
    return serializer(secret).dumps(data), session


def read(secret: str, cookie: str | None) -> Session | None:
    if not cookie:
        return None
    try:
        data = serializer(secret).loads(cookie, max_age=MAX_AGE)
        return Session(staff_id=int(data["sid"]), csrf=str(data["csrf"]), version=int(data["v"]))
    except (BadSignature, KeyError, TypeError, ValueError):  # a cookie from before session versions, too
        return None


def current(session: Session | None, staff: Staff | None) -> bool:
    """The session still stands: its staff member is active and has not signed out or changed password since."""
    return (
        session is not None
        and staff is not None
        and staff.active
        and staff.session_version == session.version
    )


def set_cookie(response: Response, cookie: str, *, secure: bool) -> None:
    """The session cookie: httponly, SameSite=Lax, console paths only, Secure over https."""
    response.set_cookie(
        COOKIE, cookie, httponly=True, samesite="lax", max_age=MAX_AGE, path="/console", secure=secure
    )


def allowed(route: str, staff: Staff) -> bool:
    return staff.active and staff.role in ROUTE_ROLES[route]


async def check_csrf(request: Request, session: Session) -> None:
    """The token from the X-CSRF-Token header (htmx) or the form field `csrf` must match the session's."""
    token = request.headers.get("X-CSRF-Token")
    if token is None:
        form = await request.form()
        value = form.get("csrf")
        token = value if isinstance(value, str) else None
    if not token or not hmac.compare_digest(token, session.csrf):
        raise BadCsrf()


def login_nonce(request: Request) -> str:
    """The browser's sign-in nonce (from its cookie), or a new one to set."""
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    return nonce if 20 <= len(nonce) <= 64 else secrets.token_urlsafe(24)


def login_token(secret: str, nonce: str) -> str:
    """The sign-in form's CSRF token: bound to the browser's nonce cookie and unforgeable without the key."""
    return hmac.new(secret.encode(), b"desk-login-csrf:" + nonce.encode(), hashlib.sha256).hexdigest()


def login_form_ok(secret: str, request: Request, token: str) -> bool:
    """The posted sign-in form came from the page this browser was given."""
    nonce = request.cookies.get(LOGIN_COOKIE)
    if not nonce or not token:
        return False
    return hmac.compare_digest(token, login_token(secret, nonce))


def set_login_cookie(response: Response, nonce: str, *, secure: bool) -> None:
    response.set_cookie(
        LOGIN_COOKIE, nonce, httponly=True, samesite="lax", max_age=MAX_AGE, path="/console", secure=secure
    )


def console_return(referer: str | None) -> str:
    """Where to go back to after switching language: the Referer's console path, never another site or part."""
    parts = urlsplit(referer or "")
    path = parts.path
    inside = path == "/console" or path.startswith("/console/")
    odd = "\\" in path or ".." in unquote(path) or any(ord(ch) < 0x20 for ch in referer or "")
    if not inside or odd:
        return "/console/"
    return path + (f"?{parts.query}" if parts.query else "")


class LoginLimiter:
    """Failed sign-ins per (user name, address), in memory: a single web process is the embedded default;
    several web instances each keep their own count, which still bounds guessing per instance.
    The name is normalised exactly as sign-in does, so "Deputy  " counts against "deputy"; the address is
    the peer's, or a listed proxy's X-Forwarded-For (DESK_TRUSTED_PROXIES, see desk.app)."""

    def __init__(self, limit: int = LOGIN_LIMIT, window: float = LOGIN_WINDOW) -> None:
        self.limit, self.window = limit, window
        self.failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        q = self.failures[key]
        while q and q[0] < time.monotonic() - self.window:
            q.popleft()
        return q

    def blocked(self, username: str, address: str) -> bool:
        key = (normalize_username(username), address)
        return key in self.failures and len(self._recent(key)) >= self.limit

    def failed(self, username: str, address: str) -> None:
        self._recent((normalize_username(username), address)).append(time.monotonic())

    def succeeded(self, username: str, address: str) -> None:
        self.failures.pop((normalize_username(username), address), None)
