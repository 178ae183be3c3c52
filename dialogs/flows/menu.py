"""The menu with the seeds' greeting, free text routed by intent, language, help, binding and unbinding."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from functools import cache
from pathlib import Path

from dialogs.base import STAY, Go, Step, Turn, flow, number_choice, text_of
from dialogs.choices import BACK, CANCEL, MENU, NO, YES, nav
from dialogs.types import Choice, Event
from dialogs.understand import INTENT_PAYLOAD, LOW_CONFIDENCE, category_of, likely_choices, understand
from estate.binding import bind_with_code, bind_with_phone, normalise_code, unbind
from estate.models import Unit
from locales import LOCALES, Translator
from understanding import Understanding


@cache
def language_names() -> dict[str, str]:
    return tomllib.loads((Path(__file__).parents[1] / "data" / "languages.toml").read_text(encoding="utf-8"))


async def menu_prompt(turn: Turn) -> None:
    t = turn.t
    turn.data.clear()
    estate = await turn.estate()
    name = estate.name if estate else t("Wuye Desk")
    if turn.resident is None:
        turn.say(
            t("Hello, this is the {estate} customer service centre. How may I help you?", estate=name)
            + "\n"
            + t("To report repairs or check your fees, please bind this chat to your home first."),
            [
                Choice(t("Bind my home"), "menu:bind"),
                Choice(t("Contact the centre"), "menu:contact"),
                Choice(t("Language"), "menu:lang"),
            ],
        )
        return
    turn.say(
        t("Hello, this is the {estate} customer service centre. How may I help you?", estate=name),
        [
            Choice(t("Report a repair"), "menu:repair"),
            Choice(t("File a complaint"), "menu:complaint"),
            Choice(t("Book a paid service"), "menu:booking"),
            Choice(t("My fees"), "menu:fees"),
            Choice(t("My requests"), "menu:tickets"),
            Choice(t("Ask or suggest"), "menu:feedback"),
            Choice(t("Contact the centre"), "menu:contact"),
            Choice(t("Language"), "menu:lang"),
            Choice(t("Unbind this chat"), "menu:unbind"),
        ],
    )


async def contact_info(turn: Turn) -> None:
    estate = await turn.estate()
    turn.say(
        turn.t(
            "Customer service centre: {phone}, open every day 8:00–20:00. For emergencies at night, call the same number.",
            phone=estate.phone if estate and estate.phone else "-",
        )
    )


async def menu_handle(turn: Turn, event: Event) -> Go | None:
    chosen = await intent_choice(turn, event)
    if chosen is not None:
        return chosen
    target = number_choice(event, "menu")
    if target == "contact":
        await contact_info(turn)
        return Go("menu")
    if target in ("repair", "complaint", "booking", "fees", "tickets", "feedback", "lang", "bind", "unbind"):
        return Go(target)
    text = text_of(event)
    if not text:
        return None
    if turn.resident is None and len(normalise_code(text)) == 8 and " " not in text.strip():
        return await code_handle(turn, event)  # a code typed straight away
    found = await understand(turn, text)
    if found.intent in ("greeting", "cancel"):
        return Go("menu")
    if found.intent == "unknown" or found.confidence < LOW_CONFIDENCE:
        return ask_which(turn, found, text)
    return await route_intent(turn, found.intent, text)


def ask_which(turn: Turn, found: Understanding, text: str) -> Go:
    """Low confidence: "did you mean …?" with the likeliest intents, keeping the words for the chosen one."""
    turn.data["_said"] = text
    turn.say(turn.t("Did you mean one of these?"), likely_choices(turn, found) + nav(turn.t, MENU))
    return STAY


async def route_intent(turn: Turn, intent: str, text: str | None) -> Go:
    """Start what the resident asked for, carrying their words into the flow so they are not asked again."""
    if intent == "repair":
        if text:
            turn.data.update(category=await category_of(turn, text, "repair") or "other", description=text)
            return Go("repair", "location")
        return Go("repair")
    if intent == "complaint":
        if text:
            turn.data.update(content=text, category=await category_of(turn, text, "complaint") or "other")
            return Go("complaint", "content")
        return Go("complaint")
    if intent in ("inquiry", "suggestion"):
        turn.data["kind"] = intent
        if text:
            turn.data["text"] = text
            return Go("feedback", "confirm")
        return Go("feedback", "text")
    if intent in ("fees", "booking", "tickets", "human"):
        return Go(intent)
    return Go("menu")


async def intent_choice(turn: Turn, event: Event) -> Go | None:
    """A tap on a "did you mean …?" choice: go there with the words said before it."""
    intent = number_choice(event, INTENT_PAYLOAD)
    if intent is None:
        return None
    return await route_intent(turn, intent, turn.data.pop("_said", None))


flow("menu", {"start": Step(menu_prompt, menu_handle)}, needs_binding=False)


async def help_prompt(turn: Turn) -> None:
    turn.say(
        turn.t(
            'You can tap the buttons, or simply type what you need, for example "the kitchen tap is leaking" or "my fees". '
            "Commands: /menu for the menu, /lang to change the language, /help for this help."
        )
    )


async def to_menu(turn: Turn, event: Event) -> Go | None:
    return Go("menu")


flow("help", {"start": Step(help_prompt, to_menu)}, needs_binding=False)


async def lang_prompt(turn: Turn) -> None:
    names = language_names()
    turn.say(
        turn.t("Please choose your language."),
        [Choice(names[loc], f"lang:{loc}") for loc in LOCALES] + nav(turn.t, BACK),
    )


async def lang_handle(turn: Turn, event: Event) -> Go | None:
    chosen = number_choice(event, "lang")
    if chosen is None:
        text = text_of(event).lower()
        chosen = next(
            (loc for loc, name in language_names().items() if text in (loc.lower(), name.lower())), None
        )
    if chosen not in LOCALES:
        return None
    turn.account.locale = chosen
    if turn.resident is not None:
        turn.resident.locale = chosen
    turn.t = Translator(chosen)
    turn.say(turn.t("The language is now English."))
    return Go("menu")


flow("lang", {"start": Step(lang_prompt, lang_handle)}, needs_binding=False)


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
            return Go(resume["flow"], resume["step"])
        return Go("menu")
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
    return Go("menu") if result.reason in ("locked", "busy") else STAY


flow("bind", {"start": Step(bind_prompt, code_handle)}, needs_binding=False)


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
        return Go("menu")
    if event.payload == NO:
        return Go("menu")
    return None


flow("unbind", {"start": Step(unbind_prompt, unbind_handle)})
