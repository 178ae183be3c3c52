"""What every entry point hands to the code it calls: settings, database sessions and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from estate.clock import Clock, SystemClock
from estate.db import make_engine, make_sessionmaker
from estate.settings import Settings


@dataclass
class Context:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock = field(default_factory=SystemClock)

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock | None = None) -> Context:
        engine = make_engine(settings.database_url)
        return cls(
            settings=settings, engine=engine, sessions=make_sessionmaker(engine), clock=clock or SystemClock()
        )

    async def close(self) -> None:
        await self.engine.dispose()
