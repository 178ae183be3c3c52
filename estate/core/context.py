"""What every entry point hands to the code it calls: settings, the service rules, database sessions, the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from estate.core.clock import Clock, SystemClock
from estate.core.db import make_engine, make_sessionmaker
from estate.core.rules import ServiceRules
from estate.core.settings import Settings


@dataclass
class Context:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock = field(default_factory=SystemClock)
    _rules: tuple[Settings, ServiceRules] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def rules(self) -> ServiceRules:
        """The service rules in force, built once from the settings (again only if the settings are replaced)."""
        if self._rules is None or self._rules[0] is not self.settings:
            self._rules = (self.settings, ServiceRules.from_settings(self.settings))
        return self._rules[1]

    def rules_for(self, estate: Any = None) -> ServiceRules:
        """The rules for one estate: the installation's rules with the estate's overrides applied."""
        if estate is None or not getattr(estate, "rule_overrides", None):
            return self.rules
        return ServiceRules.from_settings(self.settings, estate=estate)

    def tz_for(self, estate: Any = None) -> ZoneInfo:
        """The estate's time zone (`Estate.timezone`); the installation's default for what belongs to no estate."""
        zone = getattr(estate, "timezone", None)
        return ZoneInfo(zone) if zone else self.settings.tz

    def quiet_for(self, estate: Any = None) -> tuple[ZoneInfo, int, int]:
        """Quiet hours of the estate's residents, in the estate's zone, as the outbox takes them."""
        return self.rules_for(estate).quiet(self.tz_for(estate))

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock | None = None) -> Context:
        engine = make_engine(settings.database_url)
        return cls(
            settings=settings, engine=engine, sessions=make_sessionmaker(engine), clock=clock or SystemClock()
        )

    async def close(self) -> None:
        await self.engine.dispose()
