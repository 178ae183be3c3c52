"""The web chat page a resident can trust (issue #13 items 3 and 5), in real Chromium on a 360 px phone:
a message typed while the server is away is delivered once when it is back, also after a reload; a double
tap acts once and old buttons stay used after a reload; times, sending state, the typing indicator, photo
thumbnails, tappable phone numbers, the too-long sentence, the estate and language in the header; axe-core
finds no serious or critical accessibility problem."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from estate.core.clock import SystemClock
from estate.core.context import Context
from estate.core.settings import Settings
from estate.messaging.models import ChannelAccount, WebChatMessage
from estate.residents.codes import issue_binding_code
from estate.schema import Base
from estate.tickets.models import Attachment
from tests.bot.test_bot_webchat import png_bytes
from tests.support.dialogs import world_with_catalogue
from tests.support.live import free_port, run_async, serve_in_thread

SHOTS = Path("/tmp/house/shots")
SHANGHAI = ZoneInfo("Asia/Shanghai")
GREETING = "您好，Star City物业客服中心，请问有什么可以帮助您？"
PHONE = {"width": 360, "height": 740}


class Site:
    """A file database with an estate and its catalogue, served (and stopped, and served again) on one port."""

    def __init__(self, tmp_path: Path) -> None:
        self.settings = Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path}/chat.sqlite3",
            data_dir=tmp_path / "data",
            secret_key="browser-secret-0123456789abcdef01234",
        )
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"

        async def setup() -> str:
            ctx = Context.from_settings(self.settings, clock=SystemClock())
            async with ctx.engine.begin() as conn:
                await conn.run_sync(Base.metadata.create_all)
            world = await world_with_catalogue(ctx, ctx.clock.now())
            async with ctx.sessions() as s, s.begin():
                code = await issue_binding_code(
                    s, clock=ctx.clock, unit_id=world.unit.id, secret=self.settings.secret_key
                )
            await ctx.close()
            return code

        self.code = run_async(setup())

    @contextmanager
    def serving(self) -> Iterator[str]:
        from desk.app import create_app

        app = create_app(Context.from_settings(self.settings, clock=SystemClock()))
        with serve_in_thread(app, port=self.port) as base:
            yield base

    def said(self, session: str) -> list[str]:
        """What this chat's resident said, as the database holds it (one row per message handled)."""

        async def rows() -> list[str]:
            ctx = Context.from_settings(self.settings, clock=SystemClock())
            async with ctx.sessions() as s:
                found = await s.execute(
                    select(WebChatMessage.text)
                    .join(ChannelAccount, ChannelAccount.id == WebChatMessage.channel_account_id)
                    .where(ChannelAccount.external_id == session, WebChatMessage.direction == "in")
                    .order_by(WebChatMessage.id)
                )
                texts = list(found.scalars())
            await ctx.close()
            return texts

        return run_async(rows())

    def reply(self, session: str, text: str, *, photos: bool = False, days_ago: int = 0) -> None:
        """A message from the centre pushed later (as the outbox sender stores it), with the chat's photos."""

        async def store() -> None:
            ctx = Context.from_settings(self.settings, clock=SystemClock())
            async with ctx.sessions() as s, s.begin():
                account = (
                    await s.execute(select(ChannelAccount).where(ChannelAccount.external_id == session))
                ).scalar_one()
                sent = await s.execute(
                    select(Attachment.id).where(Attachment.channel_account_id == account.id)
                )
                ids = list(sent.scalars()) if photos else []
                s.add(
                    WebChatMessage(
                        channel_account_id=account.id,
                        direction="out",
                        text=text,
                        payload={"text": text, "photos": ids},
                        created_at=ctx.clock.now() - timedelta(days=days_ago),
                    )
                )
            await ctx.close()

        run_async(store())


def phone_page(browser, base: str, *, locale: str = "zh-CN", timezone: str | None = None):
    context = browser.new_context(
        viewport=PHONE,
        locale=locale,
        timezone_id=timezone,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.goto(f"{base}/chat")
    page.get_by_text(GREETING if locale == "zh-CN" else "Star City", exact=False).first.wait_for()
    return page


def session_of(page) -> str:
    return page.evaluate("localStorage.getItem('deskChatSession')")


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def mine(page, text: str):
    """The resident's own bubble holding `text`."""
    return page.locator(".msg.resident", has_text=text).last


def bind(page, code: str) -> None:
    page.get_by_role("button", name="绑定房屋").click()
    page.get_by_text("请输入账单上或前台提供的绑定码", exact=False).wait_for()
    page.locator("#text").fill(code)
    page.locator("#send").click()
    page.get_by_text("本对话已绑定到您的房屋 1-101", exact=False).wait_for()


@pytest.fixture
def picture(tmp_path) -> Path:
    path = tmp_path / "leak.png"
    path.write_bytes(png_bytes())
    return path


def send_photo(page, picture: Path, state: str):
    """Choose a photo with the camera button; the resident's bubble showing it, once it reads `state`."""
    page.locator("#photo").set_input_files(str(picture))
    bubble = page.locator(".msg.resident:has(img)").last
    bubble.locator(".state", has_text=state).wait_for()
    return bubble


@pytest.fixture
def site(tmp_path) -> Site:
    return Site(tmp_path)


def test_a_message_typed_while_the_server_is_down_is_delivered_once_when_it_is_back(browser, site):
    with site.serving() as base:
        page = phone_page(browser, base)
        session = session_of(page)
    # The server is gone: the message waits, visibly, instead of pretending to be sent.
    page.locator("#text").fill("楼道灯不亮了")
    page.locator("#send").click()
    bubble = mine(page, "楼道灯不亮了")
    bubble.locator(".state", has_text="尚未发送，正在重试…").wait_for()
    assert page.locator("#alert").inner_text() == "网络连接中断，正在重试…"
    with site.serving():
        bubble.locator(".state", has_text="已发送").wait_for(timeout=30_000)
        page.locator("#alert").wait_for(state="hidden")
        assert site.said(session).count("楼道灯不亮了") == 1
        shot(page, "chat-retry-delivered-360")
    page.context.close()


def test_an_answer_lost_on_the_way_back_does_not_make_the_server_act_twice(browser, site):
    with site.serving() as base:
        page = phone_page(browser, base)
        session = session_of(page)
        lost = []

        def lose_first_answer(route):
            if lost:
                return route.continue_()
            route.fetch()  # the server handles the message ...
            lost.append(route.request.post_data_json)
            route.abort()  # ... but its answer never reaches the phone

        page.route("**/chat/api/send", lose_first_answer)
        page.locator("#text").fill("想问一下物业费")
        page.locator("#send").click()
        mine(page, "想问一下物业费").locator(".state", has_text="已发送").wait_for(timeout=30_000)
        assert lost and lost[0]["client_id"]
        assert site.said(session).count("想问一下物业费") == 1
        page.context.close()


def test_what_waits_to_be_sent_survives_a_reload(browser, site):
    with site.serving() as base:
        page = phone_page(browser, base)
        session = session_of(page)
        page.route("**/chat/api/send", lambda route: route.abort())
        page.locator("#text").fill("电梯按钮坏了")
        page.locator("#text").press("Enter")
        mine(page, "电梯按钮坏了").locator(".state", has_text="尚未发送").wait_for()
        page.reload()
        page.get_by_text(GREETING).wait_for()
        mine(page, "电梯按钮坏了").locator(".state", has_text="尚未发送").wait_for()
        page.unroute("**/chat/api/send")
        mine(page, "电梯按钮坏了").locator(".state", has_text="已发送").wait_for(timeout=30_000)
        page.reload()
        page.get_by_text(GREETING).wait_for()
        assert page.locator(".msg.resident", has_text="电梯按钮坏了").count() == 1
        assert site.said(session).count("电梯按钮坏了") == 1
        page.context.close()


def test_a_double_tap_acts_once_and_old_buttons_stay_used_after_a_reload(browser, site):
    with site.serving() as base:
        page = phone_page(browser, base)
        session = session_of(page)
        before = len(site.said(session))
        button = page.get_by_role("button", name="绑定房屋")
        button.evaluate("b => { b.click(); b.click(); }")  # two taps before anything came back
        page.get_by_text("请输入账单上或前台提供的绑定码", exact=False).wait_for()
        assert button.is_disabled()
        assert len(site.said(session)) == before + 1
        page.locator("#text").fill(site.code)
        page.locator("#send").click()
        page.get_by_text("本对话已绑定到您的房屋 1-101", exact=False).wait_for()
        page.reload()
        page.get_by_text("本对话已绑定到您的房屋 1-101", exact=False).wait_for()
        sets = page.locator(".choices")
        assert sets.count() >= 2
        for i in range(sets.count() - 1):  # every set but the newest is used up
            for b in sets.nth(i).get_by_role("button").all():
                assert b.is_disabled()
        assert page.locator(".choices").last.get_by_role("button").first.is_enabled()
        assert all(re.fullmatch(r"\d\d:\d\d", t) for t in page.locator(".msg time").all_inner_texts())
        page.context.close()


def test_sending_state_typing_indicator_and_times(browser, site):
    with site.serving() as base:
        page = phone_page(browser, base)
        held = []
        page.route("**/chat/api/send", lambda route: held.append(route))
        page.locator("#text").fill("你好")
        page.locator("#send").click()
        bubble = mine(page, "你好")
        bubble.locator(".state", has_text="发送中…").wait_for()
        page.locator("#typing", has_text="客服正在输入…").wait_for()
        while not held:  # the request reached the route (Playwright calls the handler between its own calls)
            page.wait_for_timeout(50)
        held[0].continue_()
        bubble.locator(".state", has_text="已发送").wait_for()
        page.locator("#typing").wait_for(state="hidden")
        now = page.evaluate("(() => { const d = new Date(); return [d.getHours(), d.getMinutes()]; })()")
        stamp = bubble.locator("time").inner_text()
        assert re.fullmatch(r"\d\d:\d\d", stamp)
        assert int(stamp[:2]) == now[0]
        page.context.close()


def test_phone_numbers_are_links_and_a_too_long_message_is_refused_with_a_sentence(browser, site):
    with site.serving() as base:
        page = phone_page(browser, base)
        session = session_of(page)
        page.locator("#text").fill("闻到好大一股煤气味")
        page.locator("#send").click()
        link = page.locator(".msg.centre a[href='tel:073188886666']").first
        link.wait_for()
        assert link.inner_text() == "0731-88886666"
        before = len(site.said(session))
        page.locator("#text").fill("长" * 2001)
        assert page.locator("#counter").inner_text() == "2001 / 2000"
        page.locator("#send").click()
        alert = page.locator("#alert")
        alert.wait_for()
        assert alert.inner_text() == "消息太长了，请控制在2000字以内。"
        assert page.locator("#text").input_value() == "长" * 2001  # nothing typed is lost
        assert len(site.said(session)) == before
        shot(page, "chat-too-long-360")
        # Should a longer text reach the server anyway (an old page), its sentence is shown, not lost.
        page.locator("#text").fill("短消息")

        def lengthen(route):
            body = route.request.post_data_json
            route.continue_(post_data=json.dumps({**body, "text": "长" * 2001}))

        page.route("**/chat/api/send", lengthen)
        page.locator("#send").click()
        mine(page, "短消息").locator(".state", has_text="未发送").wait_for()
        assert alert.inner_text() == "消息太长了，请控制在2000字以内。"
        assert len(site.said(session)) == before
        page.context.close()


def test_a_photo_shows_as_a_thumbnail_and_the_sending_line_clears(browser, site, picture):
    with site.serving() as base:
        page = phone_page(browser, base)
        bind(page, site.code)
        bubble = send_photo(page, picture, "已发送")
        assert "正在发送照片" not in page.locator("#log").inner_text()
        assert bubble.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
        page.context.close()


def test_a_photo_the_chat_may_not_store_is_marked_not_sent(browser, site, picture):
    with site.serving() as base:
        page = phone_page(browser, base)  # not bound: photos are refused with a sentence
        send_photo(page, picture, "未发送")
        assert "正在发送照片" not in page.locator("#log").inner_text()
        assert "绑定" in page.locator("#alert").inner_text()
        page.context.close()


def test_photos_in_a_reply_show_as_thumbnails(browser, site, picture):
    with site.serving() as base:
        page = phone_page(browser, base)
        bind(page, site.code)
        send_photo(page, picture, "已发送")
        site.reply(session_of(page), "您的工单照片如下。", photos=True)
        reply = page.locator(".msg.centre", has_text="您的工单照片如下。")
        img = reply.locator("img")
        img.wait_for()
        assert img.get_attribute("src").startswith("/chat/api/photo/")
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
        page.context.close()


def test_a_message_of_an_earlier_day_shows_its_date(browser, site):
    with site.serving() as base:
        page = phone_page(browser, base, timezone="Asia/Shanghai")
        site.reply(session_of(page), "停水通知：明天 9:00-12:00 停水。", days_ago=2)
        stamp = page.locator(".msg.centre", has_text="停水通知").locator("time")
        stamp.wait_for()
        shown = datetime.fromisoformat(stamp.get_attribute("datetime")).astimezone(SHANGHAI)
        this_year = shown.year == datetime.now(SHANGHAI).year
        assert stamp.inner_text() == shown.strftime("%m-%d %H:%M" if this_year else "%Y-%m-%d %H:%M")
        assert re.fullmatch(r"\d\d:\d\d", page.locator(".msg.centre time").first.inner_text())
        page.context.close()


def test_the_header_names_the_estate_and_switches_the_language(browser, site):
    with site.serving() as base:
        page = phone_page(browser, base)
        assert page.locator("h1").inner_text() == "Star City"
        assert page.get_by_role("button", name="简体中文").get_attribute("aria-pressed") == "true"
        page.get_by_role("button", name="English").click()
        page.locator("html[lang=en]").wait_for()
        assert page.get_by_role("button", name="English").get_attribute("aria-pressed") == "true"
        assert page.locator("#send").inner_text() == "Send"
        page.locator("#text").fill("menu")
        page.locator("#send").click()
        mine(page, "menu").locator(".state", has_text="Sent").wait_for()
        shot(page, "chat-english-360")
        page.context.close()


@pytest.mark.parametrize("width", [360, 1366])
def test_the_page_has_no_serious_accessibility_problems(browser, site, width):
    from axe_playwright_python.sync_playwright import Axe

    with site.serving() as base:
        page = phone_page(browser, base)
        page.set_viewport_size({"width": width, "height": 740 if width == 360 else 800})
        bind(page, site.code)
        page.get_by_role("button", name="我要报修").last.click()
        page.get_by_role("button", name="水管/下水").last.wait_for()
        page.locator("#text").fill("长" * 1900)  # the counter shows
        results = Axe().run(page)
        problems = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert problems == []
        sizes = page.evaluate(
            "[...document.querySelectorAll('button:not([disabled]), .photo, #text')]"
            ".map(e => { const r = e.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; })"
        )
        assert all(w >= 44 and h >= 44 for w, h in sizes), sizes
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot(page, f"chat-choices-{width}")
        page.context.close()
