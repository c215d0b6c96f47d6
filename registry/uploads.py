"""Files in and out of the API: a multipart body read through one schema, and a download that is saved, never shown.

Kernel module: it imports only Flask, flask-smorest, webargs and werkzeug.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import quote

import marshmallow as ma
from flask import Response, request
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict, FileStorage

BINARY = {"type": "string", "format": "binary"}
"""Documents a file download in the OpenAPI spec."""


class _Parser(FlaskParser):
    """Adds `form_and_files`: multipart fields and files read through one schema (and documented as one body)."""

    __location_map__ = {**FlaskParser.__location_map__, "form_and_files": "load_form_and_files"}  # noqa: RUF012 (webargs reads the class attribute)

    def load_form_and_files(self, req: Any, schema: ma.Schema) -> Any:
        return MultiDictProxy(CombinedMultiDict([req.files, req.form]), schema)


class UploadBlueprint(Blueprint):  # type: ignore[misc]  # flask-smorest ships no type hints
    """A blueprint whose views may take `location="form_and_files"` (multipart/form-data)."""

    ARGUMENTS_PARSER = _Parser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {  # noqa: RUF012 (flask-smorest reads the class attribute)
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "form_and_files": "multipart/form-data",
    }


def read_upload(upload: FileStorage) -> bytes:
    """The uploaded file's bytes; the file is closed at once (a large upload is spooled to a temporary file)."""
    try:
        data: bytes = upload.read()
        return data
    finally:
        upload.close()


def basename(filename: str) -> str:
    """The name of an uploaded file without any folder a browser or client sent with it (at most 300 characters)."""
    return re.split(r"[\\/]", filename)[-1][:300]


def slug(text: str, *, ascii_only: bool) -> str:
    """ "Societatea Ștefănescu & Fiii SRL" -> "societatea-stefanescu-fiii-srl" (or "...-ștefănescu-..." in UTF-8)."""
    if ascii_only:
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        found = re.sub(r"[^a-z0-9]+", "-", text.lower())
    else:
        found = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFC", text).lower())
    return found.strip("-")[:60].strip("-")


def download(data: bytes, ascii_name: str, unicode_name: str, mimetype: str, etag: str | None = None) -> Response:
    """The file as an attachment (saved by the browser, never rendered: nosniff), conditional on `etag` if given."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(unicode_name, safe='')}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    if etag:
        response.set_etag(etag)
        response.make_conditional(request)
    return response
