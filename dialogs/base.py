"""The pieces flows are declared with: steps (a StrEnum per flow), transitions, entries and the checks.

A turn (`dialogs.turn.Turn`) is what each prompt and handler is given.
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


FLOWS: dict[str, Flow] = {}
ENTRIES: dict[str, Entry] = {}  # payload prefix -> where it starts, over every flow
COMMANDS: dict[str, Steps] = {}  # "/help" and the like -> the start of its flow


def flow(
    at: type[Steps],
    steps: dict[Steps, Step],
    *,
    needs_binding: bool = True,
    starts_from: dict[str, Entry] | None = None,
    commands: tuple[str, ...] = (),
) -> Flow:
    """Declare a flow: one Step for each member of its Steps enum (entered at START where it has one), the
    payload prefixes that start it from anywhere, and the /commands that open it."""
    name = at.flow_name
    if not name:
        raise FlowError(f"{at.__name__} names no flow (class {at.__name__}(Steps, flow=...))")
    if name in FLOWS and FLOWS[name].at is not at:
        raise FlowError(f"flow {name!r} is declared twice")
    strays = [str(key) for key in steps if not (isinstance(key, Steps) and key in at)]
    if strays:
        raise FlowError(f"flow {name!r}: steps {strays} are not members of {at.__name__}")
    missing = [member.value for member in at if member not in steps]
    if missing:
        raise FlowError(f"flow {name!r}: no Step for {missing}")
    entries = dict(starts_from or {})
    mine = FLOWS[name].entries if name in FLOWS else {}
    taken = [p for p in entries if p in ENTRIES and p not in mine]
    if taken:
        raise FlowError(f"flow {name!r}: payload prefixes {taken} already start another flow")
    if commands and "start" not in {m.value for m in at}:
        raise FlowError(f"flow {name!r} has commands but no START step")
    clashing = [c for c in commands if c in COMMANDS and COMMANDS[c].flow_name != name]
    if clashing:
        raise FlowError(f"flow {name!r}: commands {clashing} already open another flow")
    FLOWS[name] = Flow(
        name=name,
        at=at,
        steps={member.value: step for member, step in steps.items()},
        needs_binding=needs_binding,
        entries=entries,
        commands=commands,
    )
    ENTRIES.update(entries)
    COMMANDS.update({command: at("start") for command in commands})
    return FLOWS[name]


def check_flows(flows: dict[str, Flow] | None = None, step_sets: list[type[Steps]] | None = None) -> None:
    """Run once the flows are imported: every declared step set has its flow (and each flow's steps were
    checked against its set by `flow()`), so every `Go` target a handler can name exists."""
    flows = FLOWS if flows is None else flows
    sets = _all_steps() if step_sets is None else step_sets
    undeclared = [cls.__name__ for cls in sets if cls.flow_name not in flows]
    if undeclared:
        raise FlowError(f"steps declared for flows that do not exist: {undeclared}")
    doubled = [cls.__name__ for cls in sets if flows[cls.flow_name].at is not cls]
    if doubled:
        raise FlowError(f"two step sets name one flow: {doubled}")


def _all_steps() -> list[type[Steps]]:
    found: list[type[Steps]] = []
    todo = list(Steps.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo += cls.__subclasses__()
    return found


def entry_for(payload: str | None) -> Entry | None:
    """The flow entry a choice payload starts, if any."""
    prefix, sep, _ = (payload or "").partition(":")
    entry = ENTRIES.get(prefix) if sep else None
    if entry is None or (entry.accepts is not None and not entry.accepts(payload or "")):
        return None
    return entry


def text_of(event: Event) -> str:
    return (event.text or "").strip() if event.kind == "text" else ""


def number_choice(event: Event, prefix: str) -> str | None:
    """The value of a choice payload `prefix:<value>`, or None."""
    if event.kind == "choice" and event.payload and event.payload.startswith(prefix + ":"):
        return event.payload[len(prefix) + 1 :]
    return None
