"""Signed respond links (/respond/<token>), the links that confirm an answer (/respond/confirm/<token>) and the
anti-forgery value of the respond form.

A respond token is the signature of {"change": id, "client": id, "to": email}: the notice contact it was emailed to
(no "to": a link sent to no one person, in a webhook or the client's feed). Deterministic, so every notice to that
contact shows the same link, and never stored. Whether it still works is decided by the database (the client was
notified of that change and its deadline has not passed), not by the token. An answer through it by someone other
than "to" counts once a notice contact confirms it (`confirmations`).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from itsdangerous import BadSignature

from registry import links

RESPOND_SALT = "respond"
FORM_SALT = "respond-form"
FORM_MAX_AGE = 24 * 3600
"""Seconds a rendered respond form stays usable."""


CONFIRM_SALT = "respond-confirm"
CONFIRM_MAX_AGE = 7 * 24 * 3600
"""Seconds a confirmation link works (and never after the client's deadline)."""
EMAIL_MAX = 320
"""The longest email address taken anywhere in an answer (RFC 5321 path limit)."""


class RespondLink(NamedTuple):
    change_id: int
    client_id: int
    to: str | None
    """The notice contact's address the link was sent to (lower case), or None: sent to no one person."""


def respond_token(change_id: int, client_id: int, to: str | None = None) -> str:
    data: dict[str, Any] = {"change": change_id, "client": client_id}
    if to:
        data["to"] = to.strip().casefold()
    return links.signer(RESPOND_SALT).dumps(data)


def respond_url(change_id: int, client_id: int, to: str | None = None) -> str:
    return links.absolute(f"/respond/{respond_token(change_id, client_id, to)}")


def read_respond_token(token: str) -> RespondLink | None:
    """What a genuine token stands for, or None for a forged or malformed one."""
    try:
        data: Any = links.signer(RESPOND_SALT).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or set(data) - {"to"} != {"change", "client"}:
        return None
    change_id, client_id, to = data["change"], data["client"], data.get("to")
    if type(change_id) is not int or type(client_id) is not int:
        return None
    if to is not None and (not isinstance(to, str) or not 0 < len(to) <= EMAIL_MAX):
        return None
    return RespondLink(change_id, client_id, to)


def confirm_token(pending_id: int, by: str) -> str:
    """The link that lets the notice contact `by` confirm a pending answer (timestamped)."""
    return links.timed_signer(CONFIRM_SALT).dumps({"pending": pending_id, "by": by.strip().casefold()})


def confirm_url(pending_id: int, by: str) -> str:
    return links.absolute(f"/respond/confirm/{confirm_token(pending_id, by)}")


def read_confirm_token(token: str, max_age: int = CONFIRM_MAX_AGE) -> tuple[int, str] | None:
    """(pending answer id, the notice contact it was sent to) of a genuine token not older than `max_age` seconds."""
    try:
        data: Any = links.timed_signer(CONFIRM_SALT).loads(token, max_age=max_age)
    except BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not isinstance(data, dict) or set(data) != {"pending", "by"}:
        return None
    if type(data["pending"]) is not int or not isinstance(data["by"], str):
        return None
    return data["pending"], data["by"]


def form_token(token: str) -> str:
    """The hidden form value for one render of the page of `token` (timestamped, bound to the token)."""
    return links.timed_signer(FORM_SALT).dumps(token)


def check_form_token(token: str, value: str, max_age: int = FORM_MAX_AGE) -> bool:
    """Tell whether `value` was rendered by us for this token within `max_age` seconds."""
    try:
        signed: Any = links.timed_signer(FORM_SALT).loads(value, max_age=max_age)
    except BadSignature:  # SignatureExpired is a BadSignature
        return False
    return isinstance(signed, str) and signed == token
