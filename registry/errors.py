"""Domain errors raised by services, and the one place that turns errors into responses.

Services raise `RegistryError` subclasses and know nothing of HTTP; API requests get the JSON envelope of API.md
(`code`, `status`, `message`, `errors`), pages get a readable HTML page, CLI commands print the message.
"""

from __future__ import annotations

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


class NotFound(RegistryError):
    status = 404


class Conflict(RegistryError):
    """The request is understood but the object's state does not allow it."""

    status = 409


class Invalid(RegistryError):
    """Input breaks a rule; `errors` names the fields: {"field": ["message", ...]}."""

    status = 422


class Stale(RegistryError):
    status = 412


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
    return _error_response(error.status, error.message, error.errors)


def _handle_stale(error: StaleDataError) -> Any:
    return _error_response(412, "The object was changed by someone else: read it again and retry.", None)


def _status_name(status: int) -> str:
    return HTTP_STATUS_CODES.get(status, "Error")
