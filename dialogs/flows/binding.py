"""Binding a chat to the resident's home (a code, or the phone number on Telegram) and unbinding it.

The prompt is worded for the resident's channel: the phone-number button exists on Telegram only.

A flow that needs binding keeps where the resident was (`_resume`); after the bind they continue there.
"""

from __future__ import annotations

from dialogs.base import STAY, Go, Step
from dialogs.choices import CANCEL, NO, YES, nav
from dialogs.registry import FLOWS, flow
from dialogs.steps import Bind, Menu, Unbind
from dialogs.turn import Turn
from dialogs.types import Event, text_of
from estate.residents.binding import BindResult, bind_with_code, bind_with_phone, unbind
from estate.residents.models import Resident, Unit
from locales import N_, Translator

# The bind prompt in the words of the resident's channel: only Telegram has a "share my phone number" button.
BIND_PROMPTS: dict[str, str] = {
    "telegram": N_(
        "Please type the binding code printed on your bill or given to you at the front desk, "
        "or share your phone number with the button below."
    ),
    "wechat": N_(
        "Please reply with the binding code printed on your bill or given to you at the front desk."
    ),
    "webchat": N_("Please type the binding code printed on your bill or given to you at the front desk."),
}
CONTACT_CHANNELS = ("telegram",)  # channels whose chats can share the phone number with a button


async def bind_prompt(turn: Turn) -> None:
    channel = turn.account.channel
    turn.say(
        turn.t(BIND_PROMPTS.get(channel, BIND_PROMPTS["webchat"])),
        nav(turn.t, CANCEL),
        request_contact=channel in CONTACT_CHANNELS,
    )


FAILED = {
    "invalid": N_("Sorry, that code is not right. Please check it and try again ({n} attempts left)."),
    "used": N_("This code has already been used. Please ask the front desk for a new one."),
    "expired": N_("This code has expired. Please ask the front desk for a new one."),
    "locked": N_(
        "Too many wrong attempts. For your security, please try again in {minutes} minutes "
        "or visit the front desk."
    ),
    "no_match": N_("Sorry, this phone number is not in our records. Please use a binding code instead."),
    "busy": N_(
        "Too many binding attempts have been made recently. For residents' security, please try again "
        "later or visit the front desk."
    ),
    "not_a_code": N_(
        "That does not look like a binding code: it has 8 letters and digits. Please type it again."
    ),
}


async def _attempt(turn: Turn, event: Event) -> BindResult | None:
    """Bind by the shared phone number or the typed code (None: the event is neither)."""
    settings, rules = turn.ctx.settings, await turn.rules()
    window = rules.binding_window
    if event.kind == "contact" and event.phone:
        return await bind_with_phone(
            turn.session,
            clock=turn.ctx.clock,
            account_id=turn.account.id,
            phone=event.phone,
            max_attempts=rules.binding_max_attempts,
            window=window,
        )
    if text_of(event):
        return await bind_with_code(
            turn.session,
            clock=turn.ctx.clock,
            account_id=turn.account.id,
            code=text_of(event),
            secret=settings.secret_key,
            max_attempts=rules.binding_max_attempts,
            window=window,
            client_address=event.client_address,
            max_per_address=settings.binding_max_attempts_per_address,
            max_overall=settings.binding_max_attempts_global,
        )
    return None


async def _bound(turn: Turn, resident: Resident) -> Go:
    """Welcome the resident, then continue what they had started before binding (or show the menu)."""
    turn.resident = resident
    unit = await turn.session.get(Unit, resident.unit_id)
    if resident.locale and not turn.account.locale:
        turn.t = Translator(resident.locale)
    turn.say(
        turn.t(
            "Thank you, {name}! This chat is now bound to your home {unit}.",
            name=resident.name,
            unit=unit.code if unit else "",
        )
    )
    resume = turn.data.pop("_resume", None)
    if resume:  # what they had started before binding: continue there
        turn.data.clear()
        turn.data.update(resume["data"])
        return Go(FLOWS[resume["flow"]].at(resume["step"]))
    return Go(Menu.START)


async def code_handle(turn: Turn, event: Event) -> Go | None:
    result = await _attempt(turn, event)
    if result is None:
        return None
    if result.ok and result.resident is not None:
        return await _bound(turn, result.resident)
    params = {
        "invalid": {"n": result.attempts_left},
        "locked": {"minutes": (await turn.rules()).binding_window_minutes},
    }.get(result.reason, {})
    turn.say(turn.t(FAILED[result.reason], **params))
    return Go(Menu.START) if result.reason in ("locked", "busy") else STAY


flow(Bind, {Bind.START: Step(bind_prompt, code_handle)}, needs_binding=False, commands=("bind",))


async def unbind_prompt(turn: Turn) -> None:
    unit = await turn.unit()
    turn.say(
        turn.t(
            "Unbind this chat from your home {unit}? You can bind it again later with a new code.",
            unit=unit.code if unit else "",
        ),
        nav(turn.t, YES, NO),
    )


async def unbind_handle(turn: Turn, event: Event) -> Go | None:
    if event.payload == YES:
        await unbind(turn.session, clock=turn.ctx.clock, account_id=turn.account.id)
        turn.resident = None
        turn.say(turn.t("This chat is no longer bound to your home."))
        return Go(Menu.START)
    if event.payload == NO:
        return Go(Menu.START)
    return None


flow(Unbind, {Unbind.START: Step(unbind_prompt, unbind_handle)})
