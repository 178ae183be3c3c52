"""Binding a chat to the resident's home (a code, or the phone number on Telegram) and unbinding it.

A flow that needs binding keeps where the resident was (`_resume`); after the bind they continue there.
"""

from __future__ import annotations

from datetime import timedelta

from dialogs.base import FLOWS, STAY, Go, Step, Turn, flow, text_of
from dialogs.choices import CANCEL, NO, YES, nav
from dialogs.steps import Bind, Menu, Unbind
from dialogs.types import Event
from estate.binding import bind_with_code, bind_with_phone, unbind
from estate.models import Unit
from locales import Translator


async def bind_prompt(turn: Turn) -> None:
    turn.say(
        turn.t(
            "Please type the binding code printed on your bill or given to you at the front desk. "
            "On Telegram you can also share your phone number with the button below."
        ),
        nav(turn.t, CANCEL),
        request_contact=True,
    )


async def code_handle(turn: Turn, event: Event) -> Go | None:
    t, settings = turn.t, turn.ctx.settings
    window = timedelta(minutes=settings.binding_window_minutes)
    if event.kind == "contact" and event.phone:
        result = await bind_with_phone(
            turn.session,
            clock=turn.ctx.clock,
            account_id=turn.account.id,
            phone=event.phone,
            max_attempts=settings.binding_max_attempts,
            window=window,
        )
    elif text_of(event):
        result = await bind_with_code(
            turn.session,
            clock=turn.ctx.clock,
            account_id=turn.account.id,
            code=text_of(event),
            secret=settings.secret_key,
            max_attempts=settings.binding_max_attempts,
            window=window,
            client_address=event.client_address,
            max_per_address=settings.binding_max_attempts_per_address,
            max_overall=settings.binding_max_attempts_global,
        )
    else:
        return None
    if result.ok and result.resident is not None:
        turn.resident = result.resident
        unit = await turn.session.get(Unit, result.resident.unit_id)
        if result.resident.locale and not turn.account.locale:
            turn.t = Translator(result.resident.locale)
        turn.say(
            turn.t(
                "Thank you, {name}! This chat is now bound to your home {unit}.",
                name=result.resident.name,
                unit=unit.code if unit else "",
            )
        )
        resume = turn.data.pop("_resume", None)
        if resume:  # what they had started before binding: continue there
            turn.data.clear()
            turn.data.update(resume["data"])
            return Go(FLOWS[resume["flow"]].at(resume["step"]))
        return Go(Menu.START)
    messages = {
        "invalid": t(
            "Sorry, that code is not right. Please check it and try again ({n} attempts left).",
            n=result.attempts_left,
        ),
        "used": t("This code has already been used. Please ask the front desk for a new one."),
        "expired": t("This code has expired. Please ask the front desk for a new one."),
        "locked": t(
            "Too many wrong attempts. For your security, please try again in an hour or visit the front desk."
        ),
        "no_match": t("Sorry, this phone number is not in our records. Please use a binding code instead."),
        "busy": t(
            "Too many binding attempts have been made recently. For residents' security, please try again "
            "later or visit the front desk."
        ),
        "not_a_code": t(
            "That does not look like a binding code: it has 8 letters and digits. Please type it again."
        ),
    }
    turn.say(messages[result.reason])
    return Go(Menu.START) if result.reason in ("locked", "busy") else STAY


flow(Bind, {Bind.START: Step(bind_prompt, code_handle)}, needs_binding=False)


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
