"""A resident who asks for a person: a live chat opens in the console's inbox and an agent answers here.

In office hours the chat moves to the live step, where everything the resident writes goes to the agent
(emergencies are still recorded at once, and the resident can end the live chat). Outside office hours the
request waits for the morning, the resident is told when a person will answer, and the bot keeps helping.
The agent's side (claim, reply, close) is `estate.livechat.chats`; closing puts the chat back at the menu.
"""

from __future__ import annotations

from dialogs.base import STAY, Go, Step
from dialogs.flows.emergency.recording import record as record_emergency
from dialogs.flows.menu import menu_handle, menu_prompt
from dialogs.registry import LASTING, flow
from dialogs.steps import Human, Menu
from dialogs.turn import Turn
from dialogs.types import Choice, Event, text_of
from dialogs.understand import understand
from estate.livechat import chats
from estate.livechat.hours import in_office_hours, next_opening
from estate.livechat.models import LiveChat, LiveStatus
from locales import N_

END = "live:end"
LIVE_WAITING = N_(
    "A colleague from customer service will join this chat shortly. Please tell us what it is about; "
    "you can also call the centre at {phone}."
)
PASSED_ON = N_("Passed on to our staff. Please wait a moment: they will reply in this chat.")
LIVE_ENDED = N_("You have ended the conversation with our staff. I am the assistant again.")
AFTER_HOURS = N_(
    "Our staff answer chats from {open}:00 to {close}:00. Your request is recorded and a colleague will "
    "reply in this chat from {when}. Meanwhile I can help with the following; an emergency you describe "
    "is recorded at once, and the centre's phone {phone} is answered day and night."
)
NO_LONGER_LIVE = N_("The conversation with our staff has ended. I am the assistant again.")


def _end_choice(turn: Turn) -> list[Choice]:
    return [Choice(turn.t("End the chat with staff"), END)]


async def human_prompt(turn: Turn) -> None:
    """Open the live chat (or find the one already open) and say who will answer, and when."""
    estate = await turn.estate()
    assert estate is not None  # an installation always has its estate
    rules = await turn.rules()
    tz = turn.ctx.tz_for(estate)
    open_now = in_office_hours(rules, tz, turn.now)
    said = turn.data.pop("said", None)
    live, _ = await chats.open_chat(
        turn.session,
        clock=turn.ctx.clock,
        account=turn.account,
        estate_id=estate.id,
        after_hours=not open_now,
        first_words=said,
    )
    phone = estate.phone or "-"
    if not open_now and live.status == LiveStatus.WAITING:
        when = turn.local(next_opening(rules, tz, turn.now), "%H:%M")
        hours = {"open": f"{rules.office_open:02d}", "close": f"{rules.office_close:02d}"}
        turn.say(turn.t(AFTER_HOURS, when=when, phone=phone, **hours))
        await menu_prompt(turn)  # the bot keeps helping meanwhile
        turn.data["_after_hours"] = True
        return
    turn.data["live"] = live.id
    turn.say(turn.t(LIVE_WAITING, phone=phone), _end_choice(turn))


async def human_handle(turn: Turn, event: Event) -> Go | None:
    """After hours the menu answers (the request waits for the morning); in office hours the agent does."""
    if turn.data.get("_after_hours"):
        return await menu_handle(turn, event)
    return await live_handle(turn, event)


def talking_to_person(turn: Turn, flow_name: str, step_name: str) -> bool:
    """Whether the resident's messages go to a person now (nothing else may take them first)."""
    if flow_name != Human.flow_name:
        return False
    return step_name == Human.LIVE or not turn.data.get("_after_hours")


async def _live_chat(turn: Turn) -> LiveChat | None:
    return await chats.open_chat_of(turn.session, turn.account.id)


async def live_handle(turn: Turn, event: Event) -> Go | None:
    """Everything the resident writes goes to the agent; "end" hands the chat back to the bot."""
    live = await _live_chat(turn)
    if live is None:  # closed by the agent meanwhile
        turn.say(turn.t(NO_LONGER_LIVE))
        return Go(Menu.START)
    if event.kind == "choice" and event.payload == END or event.kind == "command":
        await chats.resident_leaves(turn.session, clock=turn.ctx.clock, chat=live)
        turn.say(turn.t(LIVE_ENDED))
        return Go(Menu.START)
    text = text_of(event)
    if event.kind == "photo" and event.attachment_id is not None:
        await chats.resident_says(
            turn.session, clock=turn.ctx.clock, chat=live, text=None, attachment_id=event.attachment_id
        )
    elif text:
        await chats.resident_says(turn.session, clock=turn.ctx.clock, chat=live, text=text)
        found = await understand(turn, text)
        if found.urgent:  # recorded at once as well, whatever the agent is doing
            kept = dict(turn.data)
            await record_emergency(turn, found)  # says what to do now; the chat stays with the person
            turn.data.clear()
            turn.data.update(kept, acknowledged=True)
    else:
        return STAY
    if live.status == LiveStatus.WAITING and not turn.data.get("acknowledged"):
        turn.data["acknowledged"] = True
        turn.say(turn.t(PASSED_ON), _end_choice(turn))
    return STAY


async def live_prompt(turn: Turn) -> None:
    """The live step says nothing of its own: the agent speaks."""


LASTING.add(END)
flow(
    Human,
    {
        Human.START: Step(human_prompt, human_handle),
        Human.LIVE: Step(live_prompt, live_handle),
    },
    needs_binding=False,
)
