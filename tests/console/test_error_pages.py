"""Addresses the console does not have answer with its own page in the staff member's language, not JSON."""

from __future__ import annotations

import httpx

from desk.app import create_app
from tests.support.console import console_world, sign_in


async def test_an_unknown_console_address_is_a_page_in_the_chosen_language(ctx):
    await console_world(ctx)
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        await sign_in(c, "agent")
        c.cookies.set("desk_console_lang", "zh_TW")
        missing = await c.get("/console/no-such-page")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("text/html")
        assert "沒有這個頁面" in missing.text
        wrong_method = await c.delete("/console/tickets")
        assert wrong_method.status_code == 405
        assert wrong_method.headers["content-type"].startswith("text/html")
