"""Help: what the resident can type or tap, and the commands."""

from __future__ import annotations

from dialogs.base import Go, Step
from dialogs.registry import flow
from dialogs.steps import Help, Menu
from dialogs.turn import Turn
from dialogs.types import Event


async def help_prompt(turn: Turn) -> None:
    turn.say(
        turn.t(
            'You can tap the buttons, or simply type what you need, for example "the kitchen tap is leaking" or "my fees". '
            "Commands: /menu for the menu, /lang to change the language, /help for this help."
        )
    )


async def to_menu(turn: Turn, event: Event) -> Go | None:
    return Go(Menu.START)


flow(Help, {Help.START: Step(help_prompt, to_menu)}, needs_binding=False, commands=("help",))
