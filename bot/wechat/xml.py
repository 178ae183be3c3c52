"""WeChat's XML, read with defusedxml (no DTDs, no entity expansion) and written for passive replies."""

from __future__ import annotations

import time
from xml.sax.saxutils import escape

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring


class BadXml(Exception):
    """Malformed, or an attempt at XXE / entity expansion."""


def parse(body: bytes) -> dict[str, str]:
    """The child elements of <xml> as a dict of text."""
    if len(body) > 256 * 1024:
        raise BadXml("too large")
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise BadXml(str(exc)) from exc
    return {child.tag: (child.text or "") for child in root}


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(*, to_user: str, from_user: str, content: str, now: int | None = None) -> str:
    """A passive text reply."""
    return (
        f"<xml><ToUserName>{cdata(to_user)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{now or int(time.time())}</CreateTime><MsgType>{cdata('text')}</MsgType>"
        f"<Content>{cdata(content)}</Content></xml>"
    )


def encrypted_envelope(*, encrypt: str, signature: str, timestamp: str, nonce: str) -> str:
    return (
        f"<xml><Encrypt>{cdata(encrypt)}</Encrypt><MsgSignature>{cdata(signature)}</MsgSignature>"
        f"<TimeStamp>{escape(timestamp)}</TimeStamp><Nonce>{cdata(nonce)}</Nonce></xml>"
    )
