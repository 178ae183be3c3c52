"""The pieces flows are declared with: a turn (everything a step may use), steps, and transitions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.types import Choice, Event, Reply
from estate.context import Context
from estate.models import ChannelAccount, Estate, Resident, Unit
from locales import Translator


@dataclass
class Turn:
    """One inbound event being handled: the session, the resident, their language and the flow's data."""

    session: AsyncSession
    ctx: Context
    account: ChannelAccount
    resident: Resident | None
    t: Translator
    data: dict[str, Any]
    now: datetime
    replies: list[Reply] = field(default_factory=list)
    understood: dict[str, Any] = field(default_factory=dict)  # text -> Understanding, once per turn

    def say(
        self,
        text: str,
        choices: list[Choice] | None = None,
        *,
        request_photo: bool = False,
        request_contact: bool = False,
    ) -> None:
        self.replies.append(
            Reply(
                text=text, choices=choices or [], request_photo=request_photo, request_contact=request_contact
            )
        )

    @property
    def me(self) -> Resident:
        """The bound resident (flows that need binding only run with one; the engine makes sure)."""
        assert self.resident is not None
        return self.resident

    @property
    def tz(self) -> ZoneInfo:
        return self.ctx.settings.tz

    def local(self, at: datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return at.astimezone(self.tz).strftime(fmt)

    async def unit(self) -> Unit | None:
        return await self.session.get(Unit, self.resident.unit_id) if self.resident else None

    async def estate(self) -> Estate | None:
        unit = await self.unit()
        if unit is not None:
            return await self.session.get(Estate, unit.estate_id)
        from sqlalchemy import select

        return (await self.session.execute(select(Estate).order_by(Estate.id).limit(1))).scalar_one_or_none()


@dataclass(frozen=True)
class Go:
    """Move to `flow`/`step` (and show its prompt unless `prompt` is False)."""

    flow: str
    step: str = "start"
    prompt: bool = True


STAY = Go("", "", prompt=False)  # handled; stay where we are without repeating the prompt

Prompt = Callable[[Turn], Awaitable[None]]
Handler = Callable[[Turn, Event], Awaitable[Go | None]]  # None: did not understand


@dataclass(frozen=True)
class Step:
    prompt: Prompt
    handle: Handler


@dataclass(frozen=True)
class Flow:
    name: str
    steps: dict[str, Step]
    needs_binding: bool = True


FLOWS: dict[str, Flow] = {}


def flow(name: str, steps: dict[str, Step], *, needs_binding: bool = True) -> Flow:
    """Declare a flow (a named set of steps, entered at "start")."""
    FLOWS[name] = Flow(name=name, steps=steps, needs_binding=needs_binding)
    return FLOWS[name]


def text_of(event: Event) -> str:
    return (event.text or "").strip() if event.kind == "text" else ""


def number_choice(event: Event, prefix: str) -> str | None:
    """The value of a choice payload `prefix:<value>`, or None."""
    if event.kind == "choice" and event.payload and event.payload.startswith(prefix + ":"):
        return event.payload[len(prefix) + 1 :]
    return None
