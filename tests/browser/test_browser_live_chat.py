"""A live chat in two real browsers (issue #13, done means): a resident in the web chat on a phone asks for a
person; the agent sees them appear in the console's inbox without a reload, claims and answers; the resident
sees the answer without a reload (the scheduler's web chat sender, as in `desk serve`), the agent sees the
resident's reply without a reload (server-sent events), makes a ticket of the conversation and closes it,
and the bot answers the resident again."""

from __future__ import annotations

import re

from console.labels import EVENT_LABELS
from dialogs.flows.human import LIVE_WAITING
from estate.core.clock import SystemClock
from estate.core.context import Context
from estate.livechat.chats import CLOSED_BY_STAFF
from estate.residents.codes import issue_binding_code
from estate.residents.models import Estate
from estate.tickets.messages import add_resident_message
from estate.tickets.models import Ticket
from estate.tickets.urging import urge_ticket
from tests.browser.test_browser_console import sign_in
from tests.support.browser import screenshot
from tests.support.console import live_console, live_world
from tests.support.dialogs import tr
from tests.support.live import run_async, serve_in_thread

PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1366, "height": 900}
CLAIMED = "Hello, this is {name} of customer service. How may I help you?"
RECORDED = "We have recorded this as request {ref}. You can follow it under My requests."


def open_round_the_clock(tmp_path):
    """The console world with a person at the desk at any hour, and a binding code for the resident's home."""

    async def prepare(ctx: Context, world) -> str:
        async with ctx.sessions() as s, s.begin():
            estate = await s.get(Estate, world.estate.id)
            assert estate is not None
            estate.rule_overrides = {"office_open": 0, "office_close": 0}
            estate.phone = "0731-88886666"
            return await issue_binding_code(
                s, clock=ctx.clock, unit_id=world.unit.id, secret=ctx.settings.secret_key
            )

    return live_world(tmp_path, prepare)


def resident_page(browser, base: str, code: str):
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(f"{base}/chat")
    page.get_by_role("button", name="绑定房屋").click()
    page.locator("#text").fill(code)
    page.locator("#send").click()
    page.get_by_text("本对话已绑定到您的房屋 1-101", exact=False).wait_for()
    return context, page


def agent_page(browser, base: str):
    context = browser.new_context(viewport=LAPTOP, locale="zh-CN")
    page = context.new_page()
    sign_in(page, base, "agent")
    return context, page


def say(page, text: str) -> None:
    page.locator("#text").fill(text)
    page.locator("#send").click()


def from_centre(page, text: str):
    return page.locator(".msg.centre", has_text=text).last


def fits(page, name: str) -> None:
    """At a phone's width (390 px) the page fits without sideways scrolling; a screenshot, then back."""
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, name)
    page.set_viewport_size(LAPTOP)


def test_a_resident_asks_for_a_person_and_an_agent_answers_live(browser, tmp_path):
    from desk.app import create_app
    from desk.runtime import background

    settings, code = open_round_the_clock(tmp_path)
    ctx = Context.from_settings(settings, clock=SystemClock())
    app = create_app(
        ctx, lifespan=lambda app: background(ctx, jobs=True)
    )  # the senders run, as in desk serve
    with serve_in_thread(app) as base:
        resident_context, resident = resident_page(browser, base, code)
        agent_context, agent = agent_page(browser, base)
        agent.goto(f"{base}/console/inbox")
        agent.get_by_text("目前没有业主在等待人工客服。").wait_for()
        agent.evaluate("window.sameLoad = true")  # gone if the page were reloaded

        say(resident, "人工客服")
        from_centre(resident, tr("zh_CN", LIVE_WAITING, phone="0731-88886666")).wait_for()
        row = agent.locator("#inbox-rows .live-row.waiting", has_text="Zhang San")
        row.wait_for(timeout=10_000)
        assert "1-101" in row.inner_text() and "网页客服" in row.inner_text()
        assert "已等待 1 分钟" in row.inner_text()
        agent.locator("#live-notice", has_text="有业主在等待人工客服").wait_for()
        agent.locator("#inbox-waiting .count", has_text="1").wait_for()
        assert agent.evaluate("window.sameLoad") is True
        screenshot(agent, "live-1-inbox-1366")

        row.get_by_role("link").click()
        agent.locator("#claim").click()
        agent.locator("#reply-text").wait_for()
        from_centre(resident, tr("zh_CN", CLAIMED, name="Agent")).wait_for(timeout=15_000)
        agent.locator("details.canned summary").click()
        agent.locator("button.phrase").first.click()  # a standard phrase goes into the reply box
        assert agent.locator("#reply-text").input_value()
        agent.locator("#reply-text").fill("请问是几号楼？")
        agent.locator("#send-reply").click()
        from_centre(resident, "请问是几号楼？").wait_for(timeout=15_000)

        agent.evaluate("window.sameLoad = true")
        say(resident, "3号楼，卫生间水压很低")
        agent.locator("#live-lines .line.in", has_text="3号楼，卫生间水压很低").wait_for(timeout=10_000)
        assert agent.evaluate("window.sameLoad") is True
        screenshot(agent, "live-2-chat-1366")
        screenshot(resident, "live-3-resident-360")
        fits(agent, "live-4-chat-390")

        agent.locator("select[name=classification]").select_option("repair:plumbing")
        agent.locator("#make-ticket").click()
        ref = agent.locator("#made-ticket").inner_text()
        assert re.fullmatch(r"BX-\d{8}-\d{4}", ref)
        from_centre(resident, tr("zh_CN", RECORDED, ref=ref)).wait_for(timeout=15_000)
        agent.locator("#made-ticket").click()
        agent.get_by_text("人工客服\n3号楼，卫生间水压很低", exact=False).first.wait_for()  # the chat's words
        agent.go_back()

        agent.locator("#close-chat").click()
        agent.locator("#live-lines .line.system", has_text="结束了对话").wait_for()
        from_centre(resident, tr("zh_CN", CLOSED_BY_STAFF)).wait_for(timeout=15_000)
        answers = resident.locator(".msg.centre").count()
        say(resident, "你好")
        resident.locator(".msg.centre").nth(answers).wait_for(timeout=15_000)  # the bot answers again
        assert "人工" not in resident.locator(".msg.centre").nth(answers).inner_text()
        assert resident.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        agent.goto(f"{base}/console/inbox")
        fits(agent, "live-5-inbox-390")
        agent_context.close()
        resident_context.close()


def test_the_ticket_page_and_the_queue_hear_the_resident_without_a_reload(browser, tmp_path):
    from desk.app import create_app

    settings, ref, ticket_id = live_console(tmp_path)
    app = create_app(Context.from_settings(settings, clock=SystemClock()))
    with serve_in_thread(app) as base:
        agent_context, agent = agent_page(browser, base)
        agent.goto(f"{base}/console/tickets/{ticket_id}")
        agent.evaluate("window.sameLoad = true")
        resident_does(settings, ticket_id, "urge")
        agent.locator(".timeline .ev.urged", has_text=tr("zh_CN", EVENT_LABELS["urged"])).wait_for(
            timeout=10_000
        )
        agent.locator("#live-notice", has_text="有业主在催单").wait_for()

        agent.goto(f"{base}/console/tickets")
        agent.evaluate("window.sameLoad = true")
        row = agent.locator(f"#rows tr#ticket-{ticket_id}")
        assert row.locator(".unread-dot").count() == 0
        resident_does(settings, ticket_id, "message")
        row.locator(".unread-dot").wait_for(timeout=10_000)  # the queue's rows refreshed on the event
        assert agent.evaluate("window.sameLoad") is True
        agent_context.close()


def resident_does(settings, ticket_id: int, what: str) -> None:
    """The ticket's resident urges it (催单) or adds a message, as the chat would, in another process."""

    async def act() -> None:
        ctx = Context.from_settings(settings, clock=SystemClock())
        async with ctx.sessions() as s, s.begin():
            ticket = await s.get(Ticket, ticket_id)
            assert ticket is not None
            if what == "urge":
                await urge_ticket(s, clock=ctx.clock, ticket_id=ticket_id, resident_id=ticket.resident_id)
            else:
                await add_resident_message(
                    s,
                    clock=ctx.clock,
                    ticket_id=ticket_id,
                    resident_id=ticket.resident_id,
                    text="师傅几点到？",
                )
        await ctx.close()

    run_async(act())
