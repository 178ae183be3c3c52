"""The Official Account API: the stable access token (cached, refreshed on 40001/42001), customer-service
messages (客服消息, within 48 h of the resident's last message) and template messages (模板消息)."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from estate.core.settings import Settings

TOKEN_INVALID = {40001, 40014, 42001}
OUT_OF_WINDOW = 45015


class WeChatError(Exception):
    def __init__(self, errcode: int, errmsg: str = "") -> None:
        super().__init__(f"{errcode} {errmsg}")
        self.errcode = errcode


class WeChatClient:
    def __init__(self, settings: Settings, *, http: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self.http = http or httpx.AsyncClient(base_url=settings.wechat_api_base, timeout=10)
        self._token: str | None = None
        self._expires = 0.0

    async def close(self) -> None:
        await self.http.aclose()

    async def token(self, *, force: bool = False) -> str:
        """The access token from /cgi-bin/stable_token, cached until five minutes before it expires."""
        if self._token and not force and time.monotonic() < self._expires:
            return self._token
        r = await self.http.post(
            "/cgi-bin/stable_token",
            json={
                "grant_type": "client_credential",
                "appid": self.settings.wechat_app_id,
                "secret": self.settings.wechat_app_secret,
                "force_refresh": force,
            },
        )
        body = r.json()
        if "access_token" not in body:
            raise WeChatError(int(body.get("errcode", -1)), body.get("errmsg", ""))
        self._token = body["access_token"]
        self._expires = time.monotonic() + max(60, int(body.get("expires_in", 7200)) - 300)
        return self._token

    async def _call(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        for attempt in (0, 1):
            r = await self.http.post(
                path, params={"access_token": await self.token(force=attempt == 1)}, json=payload
            )
            body = r.json()
            code = int(body.get("errcode", 0))
            if code in TOKEN_INVALID and attempt == 0:
                continue  # the token expired early or was replaced: fetch a fresh one and try once more
            if code != 0:
                raise WeChatError(code, body.get("errmsg", ""))
            return body
        raise WeChatError(40001, "token refresh did not help")

    async def send_text(self, openid: str, text: str) -> dict[str, Any]:
        return await self._call(
            "/cgi-bin/message/custom/send", {"touser": openid, "msgtype": "text", "text": {"content": text}}
        )

    async def send_template(self, openid: str, template_id: str, text: str) -> dict[str, Any]:
        return await self._call(
            "/cgi-bin/message/template/send",
            {
                "touser": openid,
                "template_id": template_id,
                "data": {"first": {"value": text[:200]}, "remark": {"value": ""}},
            },
        )

    async def media(self, media_id: str, max_bytes: int) -> bytes:
        """A picture the resident sent, fetched by its MediaId from WeChat's media API with our token.

        The message's PicUrl is never fetched: it names any host the sender likes. Stops reading after
        max_bytes (the caller refuses the photo as too large then).
        """
        for attempt in (0, 1):
            params = {"access_token": await self.token(force=attempt == 1), "media_id": media_id}
            async with self.http.stream("GET", "/cgi-bin/media/get", params=params) as r:
                r.raise_for_status()
                kind = r.headers.get("content-type", "")
                if kind.startswith(("application/json", "text/plain")):  # an error, as JSON
                    body = json.loads(await r.aread())
                    code = int(body.get("errcode", -1))
                    if code in TOKEN_INVALID and attempt == 0:
                        continue
                    raise WeChatError(code, body.get("errmsg", ""))
                data = b""
                async for chunk in r.aiter_bytes():
                    data += chunk
                    if len(data) > max_bytes:
                        break
                return data
        raise WeChatError(40001, "token refresh did not help")


_clients: dict[int, WeChatClient] = {}


def client_for(settings: Settings) -> WeChatClient:
    if id(settings) not in _clients:
        _clients[id(settings)] = WeChatClient(settings)
    return _clients[id(settings)]
