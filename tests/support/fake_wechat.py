"""A fake WeChat API server (aiohttp on 127.0.0.1): stable token, customer-service and template messages,
the media API (pictures by MediaId), a picture host standing for a message's PicUrl (its hits are
recorded: nothing should ever fetch it), and armed errors (40001 to force a token refresh, 45015 for
the 48-hour window)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class FakeWeChat:
    calls: list[dict[str, Any]] = field(default_factory=list)
    pictures: dict[str, bytes] = field(default_factory=dict)  # served at /pic/<name> (a PicUrl)
    media: dict[str, bytes] = field(default_factory=dict)  # served by /cgi-bin/media/get?media_id=
    errors: list[tuple[str, int, str | None]] = field(
        default_factory=list
    )  # (path, errcode, only for this user), each used once
    tokens_issued: int = 0
    base_url: str = ""
    _runner: web.AppRunner | None = None
    _n: itertools.count = field(default_factory=lambda: itertools.count(1))

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/cgi-bin/stable_token", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._send)
        app.router.add_post("/cgi-bin/message/template/send", self._send)
        app.router.add_get("/pic/{name}", self._pic)
        app.router.add_get("/cgi-bin/media/get", self._media)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base_url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        return self.base_url

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    def sent(self, path: str) -> list[dict[str, Any]]:
        return [c for c in self.calls if c["path"] == path and c["ok"]]

    async def _token(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.tokens_issued += 1
        self.calls.append({"path": request.path, "body": body, "ok": True})
        return web.json_response({"access_token": f"TOKEN{self.tokens_issued}", "expires_in": 7200})

    async def _send(self, request: web.Request) -> web.Response:
        body = await request.json()
        record = {"path": request.path, "body": body, "token": request.query.get("access_token"), "ok": True}
        self.calls.append(record)
        for i, (path, code, user) in enumerate(self.errors):
            if path == request.path and user in (None, body.get("touser")):
                del self.errors[i]
                record["ok"] = False
                return web.json_response({"errcode": code, "errmsg": "armed error"})
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": next(self._n)})

    async def _media(self, request: web.Request) -> web.Response:
        token, media_id = request.query.get("access_token"), request.query.get("media_id", "")
        self.calls.append({"path": request.path, "body": {"media_id": media_id}, "token": token, "ok": True})
        if not (token or "").startswith("TOKEN"):
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        data = self.media.get(media_id)
        if data is None:
            return web.json_response({"errcode": 40007, "errmsg": "invalid media_id"})
        return web.Response(body=data, content_type="image/jpeg")

    async def _pic(self, request: web.Request) -> web.Response:
        self.calls.append({"path": request.path, "body": {}, "ok": True})
        data = self.pictures.get(request.match_info["name"])
        return (
            web.Response(body=data, content_type="image/png")
            if data is not None
            else web.Response(status=404)
        )
