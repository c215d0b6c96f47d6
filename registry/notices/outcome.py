"""The result of one delivery attempt, as the email and webhook transports report it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message_id: str | None = None
    error: str | None = None
    permanent: bool = False
    """Retrying cannot help (a 5xx SMTP reply, a deleted endpoint): the notice is dead at once."""
    alert: bool = True
    """Alert the legal team if the notice dies of this (not when the client removed its own endpoint)."""
    disable_endpoint: bool = False
    """The webhook endpoint answered 410 Gone: stop sending to it."""

    @classmethod
    def sent(cls, message_id: str) -> Outcome:
        return cls(ok=True, message_id=message_id)

    @classmethod
    def failed(cls, error: str, *, permanent: bool = False, alert: bool = True) -> Outcome:
        return cls(ok=False, error=error[:2000], permanent=permanent, alert=alert)
