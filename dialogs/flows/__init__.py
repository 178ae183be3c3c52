"""The resident's conversations; importing this package declares every flow."""

from dialogs.flows import account, booking, emergency, human, menu, reports, survey  # noqa: F401
