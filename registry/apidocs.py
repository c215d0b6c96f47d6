"""Serve the Swagger UI assets for /api/docs from the installed package, so the docs work offline."""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, Response, send_from_directory

ASSETS = Path(flask_swagger_ui.__file__).resolve().parent / "dist"

blp = Blueprint("apidocs", __name__)


@blp.get("/api/docs/assets/<path:filename>")
def asset(filename: str) -> Response:
    return send_from_directory(ASSETS, filename, max_age=86400)
