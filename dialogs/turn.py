"""A turn: one inbound event being handled, with everything a step may use (session, resident, language, data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.types import Choice, Reply
from estate.core.context import Context
from estate.core.rules import ServiceRules
from estate.messaging.models import ChannelAccount
from estate.residents.models import Estate, Resident, Unit
from estate.residents.service import first_estate
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
        return await first_estate(self.session)

    async def rules(self) -> ServiceRules:
        """The service rules of the resident's estate (the installation's, with that estate's overrides)."""
        return self.ctx.rules_for(await self.estate())
