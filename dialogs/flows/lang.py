"""Choosing the language of the chat (names of the languages are data in `dialogs/data/languages.toml`)."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from dialogs.base import Go, Step
from dialogs.choices import BACK, nav
from dialogs.registry import flow
from dialogs.steps import Lang, Menu
from dialogs.turn import Turn
from dialogs.types import Choice, Event, number_choice, text_of
from locales import LOCALES, Translator


@cache
def language_names() -> dict[str, str]:
    return tomllib.loads((Path(__file__).parents[1] / "data" / "languages.toml").read_text(encoding="utf-8"))


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
    return Go(Menu.START)


flow(Lang, {Lang.START: Step(lang_prompt, lang_handle)}, needs_binding=False, commands=("lang", "language"))
