"""The one commit point of a request and of a command.

Services flush and never commit; views and commands never commit either. A request's work commits once, after the
view has returned a response below 400, and rolls back otherwise (an error response, or an exception, which the
error handlers turn into one): so an event, its outbox rows and its audit entry commit together or not at all, and
no view can forget to save what it did. Commands decorated with `committed` do the same: commit when the command
returns, roll back when it fails or exits. Code that commits on purpose in steps (the worker recording each delivery,
bulk DPA generation, re-queueing notices in chunks) does so explicitly, and says why.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from flask import Flask
from werkzeug.wrappers import Response

from registry.extensions import db

P = ParamSpec("P")
R = TypeVar("R")


class RegistryFlask(Flask):
    """Flask, with the request's commit point after the view."""

    def dispatch_request(self) -> Response:
        response = self.make_response(super().dispatch_request())
        if not db.session.registry.has():  # the view never used the database (a cached feed): nothing to end
            return response
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response


def committed(command: Callable[P, R]) -> Callable[P, R]:
    """Commit what a CLI command did when it returns; roll back when it raises (errors, `click.Abort`, exits)."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            result = command(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()
        return result

    return run
