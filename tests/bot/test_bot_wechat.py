"""WeChat Official Account: signatures, AES safe mode, MsgId dedupe, hostile XML, passive replies, sending."""

from __future__ import annotations

import base64
import hashlib
import struct
from datetime import datetime

import httpx
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from sqlalchemy import func, select

from bot.wechat import crypto
from bot.wechat.client import _clients
from bot.wechat.sender import send_once
from bot.wechat.xml import parse
from desk.app import create_app
from estate.messaging.models import ChannelAccount, OutboundMessage
from estate.messaging.outbox import enqueue
from estate.residents.codes import issue_binding_code
from estate.residents.models import BindingAttempt
from estate.tickets.models import Attachment
from tests.bot.test_bot_webchat import png_bytes
from tests.conftest import SHANGHAI
from tests.support.dialogs import world_with_catalogue
from tests.support.fake_wechat import FakeWeChat

TOKEN = "wxtoken"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wx1234567890abcdef"
OPENID = "oUser_1"
NOW = int(datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI).timestamp())  # the `clock` fixture's instant


@pytest.fixture
async def fake():
    server = FakeWeChat()
    await server.start()
    yield server
    await server.stop()


async def _client(ctx, fake, aes_key: str | None):
    ctx.settings = ctx.settings.model_copy(
        update={
            "wechat_token": TOKEN,
            "wechat_app_id": APP_ID,
            "wechat_app_secret": "secret",
            "wechat_aes_key": aes_key,
            "wechat_api_base": fake.base_url,
            "wechat_template_id": "TPL",
        }
    )
    await world_with_catalogue(ctx, ctx.clock.now())
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c
    wc = _clients.pop(id(ctx.settings), None)
    if wc is not None:
        await wc.close()


@pytest.fixture
async def client(ctx, fake):
    """The account in plaintext mode (no AES key configured)."""
    async for c in _client(ctx, fake, None):
        yield c


@pytest.fixture
async def safe_client(ctx, fake):
    """The account in safe mode (AES key configured): plaintext messages are refused."""
    async for c in _client(ctx, fake, AES_KEY):
        yield c


def signed_query(ts: int = NOW, **extra: str) -> dict[str, str]:
    ts, nonce = str(ts), "n0nce"
    sig = hashlib.sha1(
        "".join(sorted([TOKEN, ts, nonce])).encode()
    ).hexdigest()  # computed here, independently
    return {"signature": sig, "timestamp": ts, "nonce": nonce, **extra}


def text_xml(content: str, msg_id: str = "1001", kind: str = "text", **fields: str) -> bytes:
    extra = "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items())
    body = f"<Content><![CDATA[{content}]]></Content>" if kind == "text" else ""
    return (
        f"<xml><ToUserName><![CDATA[gh_desk]]></ToUserName><FromUserName><![CDATA[{OPENID}]]></FromUserName>"
        f"<CreateTime>1700000000</CreateTime><MsgType><![CDATA[{kind}]]></MsgType>{body}{extra}"
        f"<MsgId>{msg_id}</MsgId></xml>"
    ).encode()


async def post(client, body: bytes, **query: str) -> httpx.Response:
    return await client.post(
        "/wechat", params=signed_query(**query), content=body, headers={"Content-Type": "text/xml"}
    )


async def test_url_verification(client):
    r = await client.get("/wechat", params=signed_query(echostr="hello123"))
    assert (r.status_code, r.text) == (200, "hello123")
    bad = await client.get("/wechat", params={**signed_query(echostr="x"), "signature": "0" * 40})
    assert bad.status_code == 403


async def test_text_gets_a_passive_reply_with_numbered_choices_and_numbers_choose(ctx, client):
    r = await post(client, text_xml("你好"))
    reply = parse(r.content)
    assert reply["ToUserName"] == OPENID and reply["MsgType"] == "text"
    assert reply["Content"].startswith("您好") and "回复 1：绑定房屋" in reply["Content"]
    r = await post(client, text_xml("1", msg_id="1002"))
    assert "请输入账单上或前台提供的绑定码" in parse(r.content)["Content"]


async def test_bad_signature_gets_403_and_touches_nothing(ctx, client):
    r = await client.post("/wechat", params={**signed_query(), "signature": "f" * 40}, content=text_xml("hi"))
    assert r.status_code == 403
    async with ctx.sessions() as s:
        assert (
            await s.execute(
                select(func.count()).select_from(ChannelAccount).where(ChannelAccount.channel == "wechat")
            )
        ).scalar_one() == 0


async def test_a_replayed_msgid_is_handled_once(ctx, client):
    await post(client, text_xml("你好", msg_id="2001"))
    await post(client, text_xml("1", msg_id="2002"))
    first = await post(client, text_xml("WRONG234", msg_id="2003"))
    again = await post(client, text_xml("WRONG234", msg_id="2003"))
    assert "绑定码不正确" in parse(first.content)["Content"]
    assert again.text == "success"
    async with ctx.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(BindingAttempt))).scalar_one() == 1


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><FromUserName>&xxe;</FromUserName></xml>',
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><xml><Content>&lol3;</Content></xml>',
        b"<xml><Content>unclosed",
    ],
)
async def test_hostile_or_malformed_xml_is_refused(ctx, client, body):
    r = await post(client, body)
    assert r.status_code == 400
    async with ctx.sessions() as s:
        assert (
            await s.execute(select(func.count()).select_from(ChannelAccount))
        ).scalar_one() == 1  # the world's own account only


def reference_encrypt(plain: bytes, prefix: bytes) -> str:
    """WeChat's envelope built independently of bot.wechat.crypto, straight from the protocol description."""
    key = base64.b64decode(AES_KEY + "=")
    raw = prefix + struct.pack(">I", len(plain)) + plain + APP_ID.encode()
    n = 32 - len(raw) % 32
    raw += bytes([n]) * n
    enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(enc.update(raw) + enc.finalize()).decode()


def test_aes_round_trip_against_an_independent_vector():
    prefix = bytes(range(16))
    vector = reference_encrypt("<xml>你好</xml>".encode(), prefix)
    assert crypto.encrypt("<xml>你好</xml>", aes_key=AES_KEY, app_id=APP_ID, random_prefix=prefix) == vector
    assert crypto.decrypt(vector, aes_key=AES_KEY, app_id=APP_ID) == "<xml>你好</xml>"
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt(vector, aes_key=AES_KEY, app_id="wxOTHER")


async def test_safe_mode_message_and_encrypted_reply(ctx, safe_client):
    client = safe_client
    inner = text_xml("你好", msg_id="3001").decode()
    encrypted = reference_encrypt(inner.encode(), b"0123456789abcdef")
    q = signed_query(encrypt_type="aes")
    q["msg_signature"] = hashlib.sha1(
        "".join(sorted([TOKEN, q["timestamp"], q["nonce"], encrypted])).encode()
    ).hexdigest()
    body = f"<xml><ToUserName><![CDATA[gh_desk]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>".encode()
    r = await client.post("/wechat", params=q, content=body)
    envelope = parse(r.content)
    expected_sig = hashlib.sha1(
        "".join(sorted([TOKEN, envelope["TimeStamp"], envelope["Nonce"], envelope["Encrypt"]])).encode()
    ).hexdigest()
    assert envelope["MsgSignature"] == expected_sig
    reply = parse(crypto.decrypt(envelope["Encrypt"], aes_key=AES_KEY, app_id=APP_ID).encode())
    assert "物业客服中心" in reply["Content"]
    q["msg_signature"] = "0" * 40
    assert (await client.post("/wechat", params=q, content=body)).status_code == 403


async def test_subscribe_click_and_image(ctx, client, fake):
    r = await post(client, text_xml("", kind="event", Event="subscribe"))
    assert "请问有什么可以帮助您" in parse(r.content)["Content"]
    async with ctx.sessions() as s, s.begin():
        world_unit = (
            await s.execute(select(ChannelAccount).where(ChannelAccount.channel == "webchat"))
        ).scalar_one()
        code = await issue_binding_code(s, clock=ctx.clock, unit_id=1, secret=ctx.settings.secret_key)
        assert world_unit is not None
    await post(client, text_xml(code, msg_id="4001"))
    r = await post(client, text_xml("", kind="event", msg_id="4002", Event="CLICK", EventKey="menu:repair"))
    assert "请问需要维修什么" in parse(r.content)["Content"]
    for i, choice in enumerate(("cat:plumbing", "loc:home"), start=3):
        await post(client, text_xml("", kind="event", msg_id=f"400{i}", Event="CLICK", EventKey=choice))
    await post(client, text_xml("阳台地漏返味", msg_id="4006"))
    fake.media["m1"] = png_bytes()
    r = await post(
        client, text_xml("", kind="image", msg_id="4007", PicUrl=f"{fake.base_url}/pic/p1", MediaId="m1")
    )
    assert "已收到第 1 张照片" in parse(r.content)["Content"]
    async with ctx.sessions() as s:
        assert (await s.execute(select(Attachment.content_type))).scalar_one() == "image/png"


async def test_sender_refreshes_the_token_and_falls_back_to_a_template(ctx, client, fake):
    async with ctx.sessions() as s, s.begin():
        near = ChannelAccount(
            channel="wechat", external_id="oNear", chat_id="oNear", last_inbound_at=ctx.clock.now()
        )
        far = ChannelAccount(
            channel="wechat", external_id="oFar", chat_id="oFar", last_inbound_at=ctx.clock.now()
        )
        gone = ChannelAccount(channel="wechat", external_id="oGone", chat_id="oGone")
        s.add_all([near, far, gone])
        await s.flush()
        for account, text in ((near, "hello near"), (far, "hello far"), (gone, "hello gone")):
            await enqueue(
                s,
                clock=ctx.clock,
                dedupe_key=f"w:{account.external_id}",
                channel="wechat",
                channel_account_id=account.id,
                text=text,
            )
    fake.errors += [
        ("/cgi-bin/message/custom/send", 40001, "oNear"),
        ("/cgi-bin/message/custom/send", 45015, "oFar"),
    ]
    assert await send_once(ctx, ctx.clock) == 3
    custom = fake.sent("/cgi-bin/message/custom/send")
    template = fake.sent("/cgi-bin/message/template/send")
    assert [c["body"]["touser"] for c in custom] == ["oNear"]
    assert custom[0]["token"] == "TOKEN2"  # refreshed after 40001
    assert sorted(c["body"]["touser"] for c in template) == [
        "oFar",
        "oGone",
    ]  # 45015, and no message within 48 h
    async with ctx.sessions() as s:
        assert set((await s.execute(select(OutboundMessage.status))).scalars()) == {"sent"}


async def test_a_slow_answer_goes_out_later_through_the_outbox(ctx, client, monkeypatch):
    import asyncio

    import bot.wechat.router as router

    monkeypatch.setattr(router, "PASSIVE_WINDOW", 0.0)
    r = await post(client, text_xml("你好", msg_id="5001"))
    assert r.text == "success"
    for _ in range(100):
        async with ctx.sessions() as s:
            rows = (
                (await s.execute(select(OutboundMessage).where(OutboundMessage.channel == "wechat")))
                .scalars()
                .all()
            )
        if rows:
            break
        await asyncio.sleep(0.02)
    assert len(rows) == 1 and rows[0].dedupe_key == "wechat:late:5001" and "回复 1：绑定房屋" in rows[0].text
