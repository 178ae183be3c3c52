"""WeChat hardening (issue 11, items 9 and 3): replayed timestamps, plaintext in safe mode, PicUrl never
fetched, photos only from bound chats, and a message whose handling failed handled on WeChat's retry."""

# ruff: noqa: F811  (the fixtures are imported from the channel's own tests)

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import bot.inbound as inbound
from bot.wechat.xml import parse
from estate.messaging.models import ChannelAccount, InboundSeen
from estate.residents.codes import issue_binding_code
from estate.tickets.models import Attachment
from tests.bot.test_bot_webchat import png_bytes
from tests.bot.test_bot_wechat import (  # noqa: F401  (fixtures)
    NOW,
    OPENID,
    client,
    fake,
    post,
    safe_client,
    signed_query,
    text_xml,
)
from tests.support.dialogs import tr

NEEDS_BINDING = (
    "Please bind this chat to your home before sending photos, so that we know whose request they belong to."
)


async def _wechat_accounts(ctx) -> int:
    async with ctx.sessions() as s:
        return (
            await s.execute(
                select(func.count()).select_from(ChannelAccount).where(ChannelAccount.channel == "wechat")
            )
        ).scalar_one()


@pytest.mark.parametrize("offset", [-301, 301, -3600 * 24])
async def test_a_request_signed_more_than_five_minutes_away_is_refused(ctx, client, offset):
    r = await client.post("/wechat", params=signed_query(NOW + offset), content=text_xml("你好"))
    assert r.status_code == 403
    assert (await client.get("/wechat", params=signed_query(NOW + offset, echostr="x"))).status_code == 403
    assert await _wechat_accounts(ctx) == 0


async def test_a_request_signed_within_five_minutes_is_served(ctx, client):
    r = await client.post("/wechat", params=signed_query(NOW - 299), content=text_xml("你好"))
    assert r.status_code == 200 and "请问有什么可以帮助您" in parse(r.content)["Content"]


async def test_with_an_aes_key_a_plaintext_message_is_refused(ctx, safe_client):
    r = await post(safe_client, text_xml("你好"))
    assert r.status_code == 403
    assert await _wechat_accounts(ctx) == 0


async def _bind(ctx, client) -> None:
    async with ctx.sessions() as s, s.begin():
        code = await issue_binding_code(s, clock=ctx.clock, unit_id=1, secret=ctx.settings.secret_key)
    await post(client, text_xml("你好", msg_id="9001"))
    await post(client, text_xml("1", msg_id="9002"))
    r = await post(client, text_xml(code, msg_id="9003"))
    assert "已绑定" in parse(r.content)["Content"]


async def test_a_picture_comes_from_the_media_api_never_from_its_pic_url(ctx, client, fake):
    await _bind(ctx, client)
    fake.pictures["internal"] = b"secret"  # PicUrl may name any host, e.g. one inside our network
    fake.media["m-1"] = png_bytes()
    r = await post(
        client,
        text_xml("", kind="image", msg_id="9004", PicUrl=f"{fake.base_url}/pic/internal", MediaId="m-1"),
    )
    assert r.status_code == 200
    assert not [c for c in fake.calls if c["path"].startswith("/pic/")]
    media = [c for c in fake.calls if c["path"] == "/cgi-bin/media/get"]
    assert [c["body"]["media_id"] for c in media] == ["m-1"] and media[0]["token"].startswith("TOKEN")
    async with ctx.sessions() as s:
        photo = (await s.execute(select(Attachment))).scalar_one()
        account = (
            await s.execute(select(ChannelAccount).where(ChannelAccount.external_id == OPENID))
        ).scalar_one()
    assert photo.channel_account_id == account.id
    assert (ctx.settings.data_dir / photo.path).read_bytes() == png_bytes()


async def test_an_unbound_chat_sending_a_picture_is_asked_to_bind_and_nothing_is_fetched(ctx, client, fake):
    fake.media["m-2"] = png_bytes()
    r = await post(client, text_xml("", kind="image", msg_id="9101", MediaId="m-2"))
    assert parse(r.content)["Content"] == tr("zh_CN", NEEDS_BINDING)
    assert not [c for c in fake.calls if c["path"] == "/cgi-bin/media/get"]
    async with ctx.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(Attachment))).scalar_one() == 0


async def test_a_message_whose_handling_failed_is_handled_when_wechat_resends_it(ctx, client, monkeypatch):
    real = inbound.handle
    calls = {"n": 0}

    async def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("the database went away")
        return await real(*args, **kwargs)

    monkeypatch.setattr(inbound, "handle", flaky)
    first = await post(client, text_xml("你好", msg_id="9201"))
    assert first.status_code == 500  # so WeChat resends it
    again = await post(client, text_xml("你好", msg_id="9201"))
    assert again.status_code == 200 and "请问有什么可以帮助您" in parse(again.content)["Content"]
    third = await post(client, text_xml("你好", msg_id="9201"))
    assert third.text == "success"  # handled once now: a further resend does nothing
    async with ctx.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(InboundSeen))).scalar_one() == 1
