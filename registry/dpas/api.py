"""DPA templates (legal) and generated DPA versions (account managers); everyone with a role reads."""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import quote

import marshmallow as ma
from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint, Page
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict

from registry.auth.access import READERS, current_actor, require
from registry.auth.models import Role
from registry.clients import services as clients
from registry.dpas import schemas, services
from registry.dpas.models import Dpa, DpaTemplate
from registry.dpas.rendering import DOCX_MIMETYPE

WRITERS = (Role.ACCOUNT_MANAGER,)
BINARY = {"type": "string", "format": "binary"}  # documents a file download in the OpenAPI spec


class _Parser(FlaskParser):
    """Adds `form_and_files`: multipart fields and files read through one schema (and documented as one body)."""

    __location_map__ = {**FlaskParser.__location_map__, "form_and_files": "load_form_and_files"}  # noqa: RUF012 (webargs reads the class attribute)

    def load_form_and_files(self, req: Any, schema: ma.Schema) -> Any:
        return MultiDictProxy(CombinedMultiDict([req.files, req.form]), schema)


class _Blueprint(Blueprint):  # type: ignore[misc]  # flask-smorest ships no type hints
    ARGUMENTS_PARSER = _Parser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {  # noqa: RUF012 (flask-smorest reads the class attribute)
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "form_and_files": "multipart/form-data",
    }


blp = _Blueprint("dpas", __name__, url_prefix="/api/v1", description="DPA templates and generated DPAs")


# -- templates ---------------------------------------------------------------------------------------------------


@blp.route("/templates")
class Templates(MethodView):
    @require(*READERS)
    @blp.arguments(schemas.TemplateQuerySchema, location="query")
    @blp.response(200, schemas.TemplateSchema(many=True))
    @blp.paginate()
    def get(self, filters: dict[str, Any], pagination_parameters: Any) -> list[DpaTemplate]:
        """List template versions (metadata only); filters `key`, `language`, `active`."""
        services.ensure_builtin_templates()
        items, total = services.list_templates(filters, pagination_parameters.page, pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return items

    @require(Role.LEGAL)
    @blp.arguments(schemas.TemplateUploadSchema, location="form_and_files")
    @blp.response(201, schemas.TemplateSchema)
    def post(self, data: dict[str, Any]) -> DpaTemplate:
        """Upload a new template version; it is validated first (422 with the reason) and then becomes active."""
        upload = data["file"]
        template = services.add_template(
            upload.read(),
            key=data["key"],
            language=data["language"],
            filename=_basename(upload.filename or ""),
            actor=current_actor(),
        )
        return template


@blp.route("/templates/<int:template_id>")
class TemplateById(MethodView):
    @require(*READERS)
    @blp.response(200, schemas.TemplateSchema)
    def get(self, template_id: int) -> DpaTemplate:
        """One template version's metadata."""
        return services.get_template(template_id)


@blp.route("/templates/<int:template_id>/document")
class TemplateDocument(MethodView):
    @require(*READERS)
    @blp.response(200, BINARY, content_type=DOCX_MIMETYPE)
    def get(self, template_id: int) -> Response:
        """Download the template (.docx)."""
        template = services.get_template(template_id)
        stem = f"{template.key}.{template.language}.v{template.version}"
        return _file(template.content, f"{stem}.docx", f"{stem}.docx", DOCX_MIMETYPE, template.sha256)


# -- DPA versions --------------------------------------------------------------------------------------------------


@blp.route("/clients/<int:client_id>/dpas")
class ClientDpas(MethodView):
    @require(*READERS)
    @blp.response(200, schemas.DpaSchema(many=True))
    @blp.paginate()
    def get(self, client_id: int, pagination_parameters: Any) -> list[Dpa]:
        """The client's DPA versions, newest first."""
        client = clients.get_client(client_id)
        items, total = services.list_dpas(client, pagination_parameters.page, pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return items

    @require(*WRITERS)
    @blp.arguments(schemas.GenerateSchema)
    @blp.response(201, schemas.DpaDetailSchema)
    def post(self, data: dict[str, Any], client_id: int) -> Dpa:
        """Generate the next DPA version (a draft) from the active template and the list that applies today."""
        dpa = services.generate_dpa(
            clients.get_client(client_id),
            actor=current_actor(),
            language=data.get("language"),
            template_key=data["template"],
            as_of=data.get("as_of"),
        )
        return dpa


@blp.route("/dpas/annex-outdated")
class OutdatedAnnexes(MethodView):
    @require(*READERS)
    @blp.response(200, schemas.OutdatedAnnexSchema(many=True))
    @blp.paginate(Page)
    def get(self) -> list[dict[str, Any]]:
        """Clients whose signed DPA annex no longer matches the sub-processors that apply to them."""
        return services.outdated_annexes()


@blp.route("/dpas/<int:dpa_id>")
class DpaById(MethodView):
    @require(*READERS)
    @blp.etag
    @blp.response(200, schemas.DpaDetailSchema)
    def get(self, dpa_id: int) -> Dpa:
        """A DPA version's metadata, with the context it was rendered from."""
        return services.get_dpa(dpa_id)


@blp.route("/dpas/<int:dpa_id>/document")
class DpaDocument(MethodView):
    @require(*READERS)
    @blp.arguments(schemas.DocumentQuerySchema, location="query")
    @blp.response(200, BINARY, content_type=DOCX_MIMETYPE, description="The .docx, or the PDF with format=pdf.")
    @blp.alt_response(404, description="No such DPA, or a PDF was asked for and LibreOffice is not installed.")
    def get(self, args: dict[str, Any], dpa_id: int) -> Response:
        """Download the document: the .docx, or `?format=pdf` (when LibreOffice is installed)."""
        dpa = services.get_dpa(dpa_id)
        stem = f"{dpa.number}-v{dpa.version}"
        ascii_name, unicode_name = _slug(dpa.client.name, ascii_only=True), _slug(dpa.client.name, ascii_only=False)
        if args["format"] == "pdf":
            data = services.pdf_document(dpa, actor=current_actor())
            return _file(data, _name(stem, ascii_name, "pdf"), _name(stem, unicode_name, "pdf"), "application/pdf")
        return _file(
            dpa.document, _name(stem, ascii_name, "docx"), _name(stem, unicode_name, "docx"), DOCX_MIMETYPE, dpa.sha256
        )


@blp.route("/dpas/<int:dpa_id>/send")
class DpaSend(MethodView):
    @require(*WRITERS)
    @blp.response(200, schemas.DpaSchema)
    def post(self, dpa_id: int) -> Dpa:
        """Record that the document was sent to the client for signature."""
        dpa = services.mark_sent(services.get_dpa(dpa_id), actor=current_actor())
        return dpa


@blp.route("/dpas/<int:dpa_id>/sign")
class DpaSign(MethodView):
    @require(*WRITERS)
    @blp.arguments(schemas.SignSchema)
    @blp.response(200, schemas.DpaSchema)
    def post(self, data: dict[str, Any], dpa_id: int) -> Dpa:
        """Record the signature (409 for a superseded version); the previously signed version is superseded."""
        dpa = services.sign(
            services.get_dpa(dpa_id), signed_on=data["signed_on"], signatory=data["signatory"], actor=current_actor()
        )
        return dpa


# -- downloads -----------------------------------------------------------------------------------------------------


def _slug(text: str, *, ascii_only: bool) -> str:
    """ "Societatea Ștefănescu & Fiii SRL" -> "societatea-stefanescu-fiii-srl" (or "...-ștefănescu-..." in UTF-8)."""
    if ascii_only:
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        slug = re.sub(r"[^a-z0-9]+", "-", text.lower())
    else:
        slug = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFC", text).lower())
    return slug.strip("-")[:60].strip("-")


def _name(stem: str, slug: str, extension: str) -> str:
    return f"{stem}-{slug}.{extension}" if slug else f"{stem}.{extension}"


def _basename(filename: str) -> str:
    return re.split(r"[\\/]", filename)[-1][:300]


def _file(data: bytes, ascii_name: str, unicode_name: str, mimetype: str, etag: str | None = None) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(unicode_name, safe='')}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    if etag:
        response.set_etag(etag)
        response.make_conditional(request)
    return response
