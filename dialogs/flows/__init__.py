"""The resident's conversations, one flow per module; importing this package declares and checks them all."""

from dialogs.flows import (  # noqa: F401
    binding,
    booking,
    complaint,
    emergency,
    feedback,
    fees,
    help,
    human,
    lang,
    menu,
    repair,
    survey,
    tickets,
)
from dialogs.registry import check_flows

check_flows()
