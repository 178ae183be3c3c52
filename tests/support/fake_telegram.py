"""A fake Telegram Bot API server (aiohttp, real HTTP on 127.0.0.1) for the real aiogram client.

Bot API methods: getMe, getUpdates (long poll), sendMessage, editMessageText, answerCallbackQuery,
sendPhoto, getFile and file download, setWebhook, deleteWebhook. Control endpoints (under /control):
inject an update, register a downloadable file, read the recorded calls (with timestamps), arm faults
(429 with retry_after, 403, 500) for a method and optionally one chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = {
    "id": 777000,
    "is_bot": True,
    "first_name": "Desk",
    "username": "desk_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class Fault:
    method: str
    code: int  # 429 | 403 | 500
    times: int = 1
    chat_id: str | None = None
    retry_after: int = 1


@dataclass
class FakeTelegram:
    token: str = "123456:TEST"
    calls: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    webhook: str = ""
    base_url: str = ""
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _update_ids: itertools.count = field(default_factory=lambda: itertools.count(1000))
    _new_update: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None

    # -------------------------------------------------------------- test-side helpers

    def user(
        self, uid: int, *, language_code: str = "zh-hans", first_name: str = "Resident"
    ) -> dict[str, Any]:
        return {"id": uid, "is_bot": False, "first_name": first_name, "language_code": language_code}

    def _message(self, uid: int, **extra: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": uid, "type": "private", "first_name": "Resident"},
            "from": self.user(uid, language_code=extra.pop("language_code", "zh-hans")),
            **extra,
        }

    def push(self, update: dict[str, Any]) -> None:
        update = {"update_id": next(self._update_ids), **update}
        self.updates.append(update)
        self._new_update.set()

    def send_text(self, uid: int, text: str, **kw: Any) -> None:
        entities = (
            [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
            if text.startswith("/")
            else None
        )
        self.push(
            {"message": self._message(uid, text=text, **({"entities": entities} if entities else {}), **kw)}
        )

    def send_photo(self, uid: int, data: bytes, **kw: Any) -> None:
        file_id = f"photo-{len(self.files) + 1}"
        self.files[file_id] = data
        sizes = [
            {
                "file_id": file_id,
                "file_unique_id": file_id + "u",
                "width": 800,
                "height": 600,
                "file_size": len(data),
            }
        ]
        self.push({"message": self._message(uid, photo=sizes, **kw)})

    def share_contact(self, uid: int, phone: str) -> None:
        self.push(
            {
                "message": self._message(
                    uid, contact={"phone_number": phone, "first_name": "Resident", "user_id": uid}
                )
            }
        )

    def tap(self, uid: int, data: str, message_id: int = 1) -> None:
        self.push(
            {
                "callback_query": {
                    "id": f"cb{next(self._ids)}",
                    "from": self.user(uid),
                    "chat_instance": "ci",
                    "data": data,
                    "message": self._message(uid, text="…") | {"message_id": message_id},
                }
            }
        )

    def sent(self, chat_id: int | None = None, method: str = "sendMessage") -> list[dict[str, Any]]:
        """Successful calls of a method (to a chat), oldest first."""
        return [
            c
            for c in self.calls
            if c["method"] == method
            and c["ok"]
            and (chat_id is None or str(c["params"].get("chat_id")) == str(chat_id))
        ]

    async def wait_for(self, predicate, within: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            found = [c for c in self.calls if predicate(c)]
            if found:
                return found
            await asyncio.sleep(0.02)
        raise AssertionError("the fake Telegram server never saw the expected call")

    # -------------------------------------------------------------- server

    async def start(self) -> str:
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._api)
        app.router.add_get("/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        app.router.add_post("/control/updates", self._control_update)
        app.router.add_get("/control/calls", self._control_calls)
        app.router.add_post("/control/faults", self._control_fault)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return await request.json()
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            if hasattr(value, "file"):
                params[key] = {"filename": value.filename, "size": len(value.file.read())}
            else:
                params[key] = value
        for key in ("reply_markup",):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    def _fault_for(self, method: str, params: dict[str, Any]) -> Fault | None:
        for fault in self.faults:
            if (
                fault.method == method
                and fault.times > 0
                and (fault.chat_id is None or str(params.get("chat_id")) == fault.chat_id)
            ):
                if fault.code != 403:
                    fault.times -= 1
                return fault
        return None

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        params = await self._params(request) if request.can_read_body else dict(request.query)
        record = {"method": method, "params": params, "at": time.monotonic(), "ok": True}
        if method != "getUpdates":
            self.calls.append(record)
        fault = self._fault_for(method, params)
        if fault is not None:
            record["ok"] = False
            record["fault"] = fault.code
            body: dict[str, Any] = {"ok": False, "error_code": fault.code}
            if fault.code == 429:
                body |= {
                    "description": f"Too Many Requests: retry after {fault.retry_after}",
                    "parameters": {"retry_after": fault.retry_after},
                }
            elif fault.code == 403:
                body["description"] = "Forbidden: bot was blocked by the user"
            else:
                body["description"] = "Internal Server Error"
            return web.json_response(body, status=fault.code)
        handler = getattr(self, "_m_" + method, None)
        if handler is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found: method not found"}, status=404
            )
        return web.json_response({"ok": True, "result": await handler(params)})

    async def _m_getMe(self, params: dict[str, Any]) -> Any:
        return BOT_USER

    async def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + min(timeout, 2.0)
        while True:
            pending = [u for u in self.updates if u["update_id"] >= offset]
            if pending or time.monotonic() >= deadline:
                return pending[:100]
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._new_update.wait(), timeout=max(0.01, deadline - time.monotonic())
                )

    def _sent_message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        return {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            **extra,
        }

    async def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        return self._sent_message(params, text=params.get("text", ""))

    async def _m_sendPhoto(self, params: dict[str, Any]) -> Any:
        return self._sent_message(
            params, photo=[{"file_id": "sent", "file_unique_id": "sentu", "width": 1, "height": 1}]
        )

    async def _m_editMessageText(self, params: dict[str, Any]) -> Any:
        return self._sent_message(params, text=params.get("text", ""))

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_getFile(self, params: dict[str, Any]) -> Any:
        file_id = params["file_id"]
        data = self.files.get(file_id, b"")
        return {
            "file_id": file_id,
            "file_unique_id": file_id + "u",
            "file_size": len(data),
            "file_path": f"photos/{file_id}.jpg",
        }

    async def _m_setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = params.get("url", "")
        return True

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = ""
        return True

    async def _file(self, request: web.Request) -> web.Response:
        name = request.match_info["path"].rsplit("/", 1)[-1].removesuffix(".jpg")
        if name not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[name], content_type="image/jpeg")

    async def _control_update(self, request: web.Request) -> web.Response:
        self.push(await request.json())
        return web.json_response({"ok": True})

    async def _control_calls(self, request: web.Request) -> web.Response:
        return web.json_response(self.calls)

    async def _control_fault(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.faults.append(Fault(**body))
        return web.json_response({"ok": True})
