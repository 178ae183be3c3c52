"""What WeChat posts to /wechat, checked and opened: the signature, a signed timestamp no more than five
minutes off (no replays), the message fields (decrypted in safe mode, which an AES key makes compulsory);
and the passive reply, sealed the same way.
"""

from __future__ import annotations

import secrets
import time

from fastapi import Request
from fastapi.responses import PlainTextResponse, Response

from bot.wechat import crypto
from bot.wechat.xml import BadXml, encrypted_envelope, parse, text_reply
from estate.core.context import Context
from estate.core.settings import Settings

MAX_CLOCK_SKEW = 300  # seconds between WeChat's signed timestamp and our clock


def signed(request: Request, ctx: Context) -> bool:
    q = request.query_params
    token = ctx.settings.wechat_token
    timestamp = q.get("timestamp", "")
    if not (timestamp.isdigit() and len(timestamp) <= 12):
        return False
    if abs(ctx.clock.now().timestamp() - int(timestamp)) > MAX_CLOCK_SKEW:
        return False  # an old request replayed, or a forged one
    return bool(token) and crypto.check_signature(
        q.get("signature"), token or "", timestamp, q.get("nonce", "")
    )


def open_message(request: Request, settings: Settings, body: bytes) -> dict[str, str] | Response:
    """The message's fields (decrypted in safe mode), or the refusal to answer."""
    q = request.query_params
    aes = q.get("encrypt_type") == "aes"
    if settings.wechat_aes_key and not aes:
        return Response(status_code=403)  # safe mode: a plaintext message is not from WeChat
    try:
        message = parse(body)
        if aes:
            if not settings.wechat_aes_key:
                return Response(status_code=400)
            encrypted = message.get("Encrypt", "")
            if not crypto.check_signature(
                q.get("msg_signature"),
                settings.wechat_token or "",
                q.get("timestamp", ""),
                q.get("nonce", ""),
                encrypted,
            ):
                return Response(status_code=403)
            message = parse(
                crypto.decrypt(
                    encrypted, aes_key=settings.wechat_aes_key, app_id=settings.wechat_app_id or ""
                ).encode()
            )
    except (BadXml, crypto.CryptoError):
        return PlainTextResponse("bad request", status_code=400)
    return message


def passive_reply(settings: Settings, *, aes: bool, openid: str, our_id: str, text: str) -> Response:
    """The passive XML reply (encrypted in safe mode)."""
    reply = text_reply(to_user=openid, from_user=our_id, content=text)
    if aes:
        nonce, timestamp = secrets.token_hex(8), str(int(time.time()))
        encrypted = crypto.encrypt(
            reply, aes_key=settings.wechat_aes_key or "", app_id=settings.wechat_app_id or ""
        )
        reply = encrypted_envelope(
            encrypt=encrypted,
            signature=crypto.signature(settings.wechat_token or "", timestamp, nonce, encrypted),
            timestamp=timestamp,
            nonce=nonce,
        )
    return Response(reply, media_type="application/xml")
