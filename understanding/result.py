"""What the model says a message means: `Understanding`, with the JSON shape `desk understand --json` prints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Understanding:
    """What a message most likely means."""

    text: str
    intent: str
    category: str | None
    urgent: bool
    confidence: float
    ranked: tuple[tuple[str, float], ...] = ()  # every intent with its probability, likeliest first

    def as_dict(self) -> dict[str, Any]:
        """The stable JSON shape of `desk understand --json`."""
        return {
            "text": self.text,
            "intent": self.intent,
            "category": self.category,
            "urgent": self.urgent,
            "confidence": round(self.confidence, 4),
        }
