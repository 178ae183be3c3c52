"""Staff sessions: a signed, httponly, SameSite session cookie; CSRF tokens; which roles may use each page.
(What guards the sign-in form itself is in console/signin_guard.py.)"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from estate.staff.models import Role, Staff

COOKIE = "desk_staff"
MAX_AGE = 12 * 3600

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
    "ticket.major": STAFF,
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
    "fees.void": roles(R.CASHIER, R.MANAGER, R.ADMIN),  # an unpaid bill issued by mistake, with a reason
    "fees.import": roles(R.CASHIER, R.MANAGER, R.ADMIN),  # bills and payments from a spreadsheet
    "archive": STAFF | roles(R.CASHIER),
    "archive.binding": STAFF,
    "archive.import": roles(R.MANAGER, R.ADMIN),
    "services": STAFF,
    "notices": roles(R.AGENT, R.SUPERVISOR, R.MANAGER, R.ADMIN),
    "dashboard": roles(R.SUPERVISOR, R.MANAGER, R.DEPUTY, R.ADMIN),
    "reports": roles(R.CASHIER, R.SUPERVISOR, R.MANAGER, R.DEPUTY, R.ADMIN),
    # the front desk (issue #14): registering calls and visits, bulk claim/assign for the leads
    "tickets.register": STAFF,
    "tickets.bulk": roles(R.SUPERVISOR, R.MANAGER, R.DEPUTY, R.ADMIN),
    # live chats (issue #13): the inbox for those who answer residents; the live console's events for all
    "inbox": STAFF,
    "events": EVERYONE,
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
