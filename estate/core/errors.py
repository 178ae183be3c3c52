"""Domain errors: each carries a stable `code` that dialogs and the console turn into a translated sentence."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule of the estate said no. `code` is stable; `params` fill the translated message."""

    code = "error"

    def __init__(self, code: str | None = None, /, **params: Any) -> None:
        self.code = code or self.code
        self.params = params
        super().__init__(self.code if not params else f"{self.code} {params}")


class NotFound(DomainError):
    code = "not_found"


class InvalidTransition(DomainError):
    """The object is not in a state that allows this action (e.g. closing a new ticket)."""

    code = "invalid_transition"


class Conflict(DomainError):
    """Someone else got there first (a claim, the last place in a slot)."""

    code = "conflict"


class RateLimited(DomainError):
    code = "rate_limited"


class ValidationFailed(DomainError):
    code = "invalid"
