"""Domain errors raised by services, and the one place that turns errors into responses.

Services raise `RegistryError` subclasses and know nothing of HTTP; API requests get the JSON envelope of API.md
(`code`, `status`, `message`, `errors`), pages get a readable HTML page, CLI commands print the message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, render_template, request
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from registry.extensions import api


class RegistryError(Exception):
    status = 400

    def __init__(self, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors

    def __reduce__(self) -> tuple[Any, ...]:  # keep `errors` when the error crosses a process boundary
        return (type(self), (self.message, self.errors))


class NotFound(RegistryError):
    status = 404


class Forbidden(RegistryError):
    """The user's role may not do this particular thing (the route itself was allowed)."""

    status = 403


class Conflict(RegistryError):
    """The request is understood but the object's state does not allow it."""

    status = 409


class Invalid(RegistryError):
    """Input breaks a rule; `errors` names the fields of the request body: {"field": ["message", ...]}.

    API responses nest them under "json", as marshmallow's own validation errors are, so clients find every
    body-field error at `errors.json.<field>`.
    """

    status = 422


def flatten_errors(errors: Mapping[Any, Any], prefix: str = "") -> list[tuple[str, str]]:
    """marshmallow-shaped errors as (dotted path, message) pairs: ("locations.1.mechanism", "...")."""
    flat: list[tuple[str, str]] = []
    for key, value in errors.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            flat.extend(flatten_errors(value, path))
        elif isinstance(value, list | tuple):
            for item in value:
                if isinstance(item, Mapping):
                    flat.extend(flatten_errors(item, path))
                else:
                    flat.append((path, str(item)))
        else:
            flat.append((path, str(value)))
    return flat


def register_errorhandlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(RegistryError, _handle_registry_error)
    app.register_error_handler(StaleDataError, _handle_stale)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _handle_http(error: HTTPException) -> Any:
    if _wants_json():
        payload, code, headers = api.handle_http_exception(error)
        payload.setdefault("message", error.description)
        if error.code == 401:
            headers = {**headers, "WWW-Authenticate": 'Bearer realm="registry"'}
        return payload, code, headers
    code = error.code or 500
    return render_template("error.html", code=code, title=error.name, message=error.description), code


def _error_response(status: int, message: str, errors: dict[str, Any] | None) -> Any:
    if _wants_json():
        payload: dict[str, Any] = {"code": status, "status": _status_name(status), "message": message}
        if errors:
            payload["errors"] = errors
        return payload, status
    return render_template("error.html", code=status, title=_status_name(status), message=message), status


def _handle_registry_error(error: RegistryError) -> Any:
    errors = {"json": error.errors} if isinstance(error, Invalid) and error.errors else error.errors
    return _error_response(error.status, error.message, errors)


def _handle_stale(error: StaleDataError) -> Any:
    return _error_response(412, "The object was changed by someone else: read it again and retry.", None)


def _status_name(status: int) -> str:
    return HTTP_STATUS_CODES.get(status, "Error")
