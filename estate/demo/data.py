"""What the demo is made of (estate/data/demo.toml) and the random seed that makes it the same every time."""

from __future__ import annotations

import tomllib
from pathlib import Path

DATA = Path(__file__).parents[1] / "data" / "demo.toml"
SEED = 20261122


def demo_data() -> dict:
    """The demo's estate, fees, services, staff, tickets and notice, as written in demo.toml."""
    return tomllib.loads(DATA.read_text(encoding="utf-8"))
