"""DPA templates (legal) and generated DPA versions (account managers); everyone with a role reads."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Page

from registry.auth.access import READERS, current_actor, require
from registry.auth.models import Role
from registry.clients import services as clients
from registry.dpas import outdated, schemas, services
from registry.dpas.models import Dpa, DpaTemplate
from registry.dpas.rendering import DOCX_MIMETYPE
from registry.uploads import BINARY, UploadBlueprint, basename, download, read_upload, slug

WRITERS = (Role.ACCOUNT_MANAGER,)


blp = UploadBlueprint("dpas", __name__, url_prefix="/api/v1", description="DPA templates and generated DPAs")


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
            read_upload(upload),
            key=data["key"],
            language=data["language"],
            filename=basename(upload.filename or ""),
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
        return download(template.content, f"{stem}.docx", f"{stem}.docx", DOCX_MIMETYPE, template.sha256)


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
        return outdated.outdated_annexes()


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
        stem = f"{dpa.number}-v{dpa.version}-{dpa.language}"
        ascii_name, unicode_name = slug(dpa.client.name, ascii_only=True), slug(dpa.client.name, ascii_only=False)
        if args["format"] == "pdf":
            data = services.pdf_document(dpa, actor=current_actor())
            return download(data, _name(stem, ascii_name, "pdf"), _name(stem, unicode_name, "pdf"), "application/pdf")
        return download(
            dpa.document, _name(stem, ascii_name, "docx"), _name(stem, unicode_name, "docx"), DOCX_MIMETYPE, dpa.sha256
        )


@blp.route("/dpas/<int:dpa_id>/translations")
class DpaTranslations(MethodView):
    @require(*WRITERS)
    @blp.arguments(schemas.TranslateSchema)
    @blp.response(201, schemas.DpaDetailSchema)
    @blp.alt_response(409, description="Superseded, already in that language, or its facts changed since.")
    def post(self, data: dict[str, Any], dpa_id: int) -> Dpa:
        """Render this version in another language: the same agreement (number, version, date), whose original
        text prevails; a translation of a signed version is signed with it."""
        return services.translate_dpa(services.get_dpa(dpa_id), language=data["language"], actor=current_actor())


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


def _name(stem: str, name: str, extension: str) -> str:
    return f"{stem}-{name}.{extension}" if name else f"{stem}.{extension}"
