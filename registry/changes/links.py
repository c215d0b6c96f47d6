"""Signed respond links (/respond/<token>) and the anti-forgery value of the respond form.

A respond token is the signature of {"change": id, "client": id}: deterministic, so every notice, feed and page
shows the same link, and never stored. Whether it still works is decided by the database (the client was notified
of that change and the deadline has not passed), not by the token.
"""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature

from registry import links

RESPOND_SALT = "respond"
FORM_SALT = "respond-form"
FORM_MAX_AGE = 24 * 3600
"""Seconds a rendered respond form stays usable."""


def respond_token(change_id: int, client_id: int) -> str:
    return links.signer(RESPOND_SALT).dumps({"change": change_id, "client": client_id})


def respond_url(change_id: int, client_id: int) -> str:
    return links.absolute(f"/respond/{respond_token(change_id, client_id)}")


def read_respond_token(token: str) -> tuple[int, int] | None:
    """(change id, client id) of a genuine token, or None for a forged or malformed one."""
    try:
        data: Any = links.signer(RESPOND_SALT).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or set(data) != {"change", "client"}:
        return None
    change_id, client_id = data["change"], data["client"]
    if type(change_id) is not int or type(client_id) is not int:
        return None
    return change_id, client_id


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
