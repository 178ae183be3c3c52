"""What guards the staff sign-in form: a CSRF token bound to a nonce cookie (login CSRF), and the limit on
failed sign-ins per user name and address."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import defaultdict, deque

from fastapi import Request, Response

from console.auth import MAX_AGE
from estate.staff.service import normalize_username

LOGIN_COOKIE = "desk_login"  # a random nonce; the sign-in form carries its HMAC (login CSRF)
LOGIN_LIMIT = 5  # failed sign-ins per user name and address …
LOGIN_WINDOW = 15 * 60  # … within this many seconds


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
