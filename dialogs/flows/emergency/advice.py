"""What to do now, per kind of emergency: the safety advice given with every emergency reply."""

from __future__ import annotations

from dialogs.turn import Turn
from locales import N_

ADVICE = {
    "gas_smell": N_(
        "Do not switch lights or appliances on or off and do not use a flame; open the windows, close the gas valve if you can, and leave the home."
    ),
    "water_leak": N_(
        "If you can, close your home's main water valve and switch off the power of anything that is getting wet."
    ),
    "power_cut": N_(
        "Please keep away from wires and the fuse box, and do not touch them with wet hands. If only your home is dark, check whether the main switch has tripped."
    ),
    "lift_entrapment": N_(
        "Please stay calm, press the alarm button in the lift and do not try to force the doors open."
    ),
    "electrical": N_(
        "Please switch off the power at the fuse box if it is safe to do so, and keep away from the sparks or smoke."
    ),
}


FIRE_ADVICE = N_("If there is fire or smoke, leave at once by the stairs (never the lift) and call 119.")


def advice(turn: Turn, category_code: str | None) -> str:
    return turn.t(ADVICE.get(category_code or "", FIRE_ADVICE))
