"""Start-up: without a Telegram token neither aiogram nor scikit-learn is imported with the server, and
the Telegram webhook address still answers as the webhook does without a token."""

from __future__ import annotations

import subprocess
import sys

import httpx

from desk.app import create_app

PROBE = (
    "import sys, desk.cli, desk.runtime, desk.app; print(sorted({'aiogram', 'sklearn'} & set(sys.modules)))"
)


def test_the_server_imports_neither_aiogram_nor_scikit_learn():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


async def test_the_webhook_without_a_token_is_not_found(ctx):
    ctx.settings = ctx.settings.model_copy(update={"telegram_token": None, "telegram_webhook_secret": "s"})
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        assert (await client.post("/telegram/webhook/s", content=b"{}")).status_code == 404
        assert (await client.get("/telegram/webhook/s")).status_code == 405  # POST only, as before


async def test_a_token_set_after_the_app_was_built_reaches_the_real_webhook(ctx):
    ctx.settings = ctx.settings.model_copy(update={"telegram_token": None, "telegram_webhook_secret": "s"})
    app = create_app(ctx)
    ctx.settings = ctx.settings.model_copy(update={"telegram_token": "123:abc"})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        r = await client.post("/telegram/webhook/wrong", content=b"{}")
    assert r.status_code == 403  # the real webhook's answer to a wrong secret
