"""Photo storage (issue 11, item 3): only bound chats store photos, within a rate and a quota, and photos
no request took up within a day are removed by the `attachments_cleanup` job."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from desk.app import create_app
from estate.jobs import JOBS, run_job
from estate.messaging.models import ChannelAccount
from estate.tickets.create import create_ticket
from estate.tickets.models import Attachment
from tests.bot.test_bot_webchat import png_bytes
from tests.support.dialogs import tr, world_with_catalogue

NEEDS_BINDING = (
    "Please bind this chat to your home before sending photos, so that we know whose request they belong to."
)
TOO_MANY = "You have sent a lot of photos in a short time. Please wait a while before sending more."
BOUND_SESSION = "bound-session-0123456789abcdef"


@pytest.fixture
async def world(ctx):
    return await world_with_catalogue(ctx, ctx.clock.now())


@pytest.fixture
async def client(ctx, world):
    async with ctx.sessions() as s, s.begin():
        s.add(
            ChannelAccount(
                channel="webchat",
                external_id=BOUND_SESSION,
                chat_id=BOUND_SESSION,
                resident_id=world.resident.id,
                created_at=ctx.clock.now(),
            )
        )
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c


async def upload(client, session: str, data: bytes, locale: str = "en") -> httpx.Response:
    return await client.post(
        "/chat/api/send",
        files={"photo": ("p.png", data, "image/png")},
        headers={"X-Chat-Session": session, "Accept-Language": locale},
    )


async def stored(ctx) -> int:
    async with ctx.sessions() as s:
        return (await s.execute(select(func.count()).select_from(Attachment))).scalar_one()


def files_under(folder: Path) -> list[Path]:
    return [p for p in (folder / "attachments").rglob("*") if p.is_file()] if folder.exists() else []


@pytest.mark.parametrize("locale", ["zh_CN", "zh_TW", "en"])
async def test_a_new_anonymous_session_cannot_store_photos(ctx, client, locale):
    session = (await client.post("/chat/api/session")).json()["session"]
    for _ in range(3):
        r = await upload(client, session, png_bytes(), locale)
        assert r.status_code == 403 and r.json()["message"] == tr(locale, NEEDS_BINDING)
    assert await stored(ctx) == 0 and files_under(ctx.settings.data_dir) == []
    unread = await client.post(  # refused before the upload is even parsed
        "/chat/api/send",
        content=b"--x\r\nnot really a form",
        headers={"X-Chat-Session": session, "Content-Type": "multipart/form-data; boundary=x"},
    )
    assert unread.status_code == 403


async def test_a_bound_chat_stores_photos_within_the_hourly_rate(ctx, client):
    ctx.settings = ctx.settings.model_copy(update={"photo_max_per_hour": 2})
    assert (await upload(client, BOUND_SESSION, png_bytes() + b"1")).status_code == 200
    assert (await upload(client, BOUND_SESSION, png_bytes() + b"2")).status_code == 200
    refused = await upload(client, BOUND_SESSION, png_bytes() + b"3")
    assert refused.status_code == 429 and refused.json()["message"] == TOO_MANY
    assert await stored(ctx) == 2
    ctx.clock.advance(hours=1, minutes=1)
    assert (await upload(client, BOUND_SESSION, png_bytes() + b"4")).status_code == 200


async def test_photos_waiting_for_a_request_are_limited_by_the_quota(ctx, client):
    ctx.settings = ctx.settings.model_copy(update={"photo_max_per_hour": 100, "photo_quota_mb": 1})
    big = png_bytes() + b"\0" * (600 * 1024)
    assert (await upload(client, BOUND_SESSION, big + b"1")).status_code == 200
    assert (await upload(client, BOUND_SESSION, big + b"2")).status_code == 200
    assert (await upload(client, BOUND_SESSION, big + b"3")).status_code == 429
    assert await stored(ctx) == 2


async def test_the_cleanup_job_removes_photos_no_request_took_up_within_a_day(ctx, world, client):
    assert "attachments_cleanup" in JOBS
    for content in (b"a", b"b", b"b"):  # the second "b" is stored once, in the first one's file
        assert (await upload(client, BOUND_SESSION, png_bytes() + content)).status_code == 200
    async with ctx.sessions() as s, s.begin():
        rows = (await s.execute(select(Attachment).order_by(Attachment.id))).scalars().all()
        old_unlinked, old_linked, old_shared = rows
        assert old_shared.path == old_linked.path
        ticket = await create_ticket(
            s,
            clock=ctx.clock,
            estate_id=world.estate.id,
            kind="repair",
            category_code="plumbing",
            description="The tap drips",
            resident_id=world.resident.id,
            attachment_ids=[old_linked.id],
        )
        assert ticket.id
    ctx.clock.advance(days=1, minutes=1)
    fresh = await upload(client, BOUND_SESSION, png_bytes() + b"fresh")
    assert fresh.status_code == 200
    long_ago = (ctx.clock.now() - timedelta(days=1, minutes=1)).timestamp()
    for path in files_under(ctx.settings.data_dir):
        if path.read_bytes() != png_bytes() + b"fresh":
            os.utime(path, (long_ago, long_ago))  # written the day before
    gone_file = ctx.settings.data_dir / old_unlinked.path
    kept_file = ctx.settings.data_dir / old_linked.path

    summary = await run_job(ctx, "attachments_cleanup")
    assert summary == "2 unlinked photo(s) removed"
    async with ctx.sessions() as s:
        left = (await s.execute(select(Attachment.id).order_by(Attachment.id))).scalars().all()
    assert old_unlinked.id not in left and old_shared.id not in left and old_linked.id in left
    assert len(left) == 2  # the request's photo and the fresh upload
    assert not gone_file.exists() and kept_file.exists()  # the shared file still belongs to the request
    assert len(files_under(ctx.settings.data_dir)) == 2
