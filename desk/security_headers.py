"""Security headers on every response (CSP, frames, sniffing, referrer), and `Secure` cookies over https."""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline script or style anywhere: templates load everything from /console/static and /chat/static.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)


def _secure(cookie: bytes) -> bytes:
    attributes = [part.strip() for part in cookie.lower().split(b";")[1:]]
    return cookie if b"secure" in attributes else cookie + b"; Secure"


class SecurityHeaders:
    """Every response carries the CSP, frame, sniffing and referrer headers (a handler may set its own),
    and over https every cookie is `Secure`."""

    def __init__(self, app: ASGIApp, *, https: Callable[[Scope], bool]) -> None:
        self.app, self.https = app, https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = self.https(scope)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, _secure(v) if https and k.lower() == b"set-cookie" else v)
                    for k, v in message.get("headers", [])
                ]
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
