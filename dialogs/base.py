"""The pieces a flow is declared with: its steps (a StrEnum per flow), a transition (`Go`), a `Step`, an `Entry`.

A turn (`dialogs.turn.Turn`) is what each prompt and handler is given; `dialogs.registry` holds the flows
declared and checks them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from dialogs.turn import Turn
from dialogs.types import Event


class Steps(StrEnum):
    """The steps of one flow, declared once (`dialogs.steps`): `class Repair(Steps, flow="repair")`.

    A transition names its target by member (`Go(Repair.LOCATION)`), so a misspelt step is an error
    that mypy and the import see, and `check_flows()` makes sure every member has its step.
    """

    flow_name: ClassVar[str]

    def __init_subclass__(cls, *, flow: str = "", **kw: Any) -> None:
        super().__init_subclass__(**kw)
        cls.flow_name = flow


@dataclass(frozen=True)
class Go:
    """Move to the step `to` (of its flow) and show its prompt unless `prompt` is False."""

    to: Steps | None
    prompt: bool = True

    def __post_init__(self) -> None:
        if self.to is not None and not isinstance(self.to, Steps):
            raise FlowError(f"Go needs a declared step (a member of a Steps enum), not {self.to!r}")

    @property
    def flow(self) -> str:
        return self.to.flow_name if self.to is not None else ""

    @property
    def step(self) -> str:
        return self.to.value if self.to is not None else ""


STAY = Go(None, prompt=False)  # handled; stay where we are without repeating the prompt

Prompt = Callable[[Turn], Awaitable[None]]
Handler = Callable[[Turn, Event], Awaitable[Go | None]]  # None: did not understand


class FlowError(Exception):
    """A flow declared wrongly (a step without its handler, a transition to no declared step …)."""


@dataclass(frozen=True)
class Step:
    prompt: Prompt
    handle: Handler


@dataclass(frozen=True)
class Entry:
    """A choice payload `<prefix>:…` that starts (or continues in) a flow from whatever step the chat is at.

    `accepts` narrows the payloads taken (the survey takes only well-formed ones); the others go on to the
    current step, as any other choice.
    """

    handle: Handler
    accepts: Callable[[str], bool] | None = None


@dataclass(frozen=True)
class Flow:
    name: str
    at: type[Steps]  # the flow's steps: `flow.at("location")` is the member for a stored step name
    steps: dict[str, Step]
    needs_binding: bool = True
    entries: dict[str, Entry] = field(default_factory=dict)
    commands: tuple[str, ...] = ()
