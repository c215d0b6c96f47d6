"""Changes and the clients' answers: read by every role, written by the legal team (and admins)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from registry import clock
from registry.auth.access import READERS, current_actor, require
from registry.auth.models import Role
from registry.changes import evidence, responses, schemas, services, standing
from registry.changes.models import Change, ChangeResponse, ResponseAttachment
from registry.errors import Invalid
from registry.uploads import BINARY, UploadBlueprint, basename, download, read_upload


class _Blueprint(UploadBlueprint):
    """Takes multipart bodies (attachments); also checks If-Match on the POSTs decorated with `etag` (announce):
    428 without it, 412 when stale, as for a PATCH, so nobody announces a text someone else has just edited."""

    METHODS_NEEDING_CHECK_ETAG = [*UploadBlueprint.METHODS_NEEDING_CHECK_ETAG, "POST"]  # noqa: RUF012 (flask-smorest reads it)


blp = _Blueprint("changes", __name__, url_prefix="/api/v1", description="Changes to the sub-processor list")

WRITERS = (Role.LEGAL,)


@blp.route("/changes")
class Changes(MethodView):
    @require(*READERS)
    @blp.arguments(schemas.ChangeQuerySchema, location="query")
    @blp.response(200, schemas.ChangeOutSchema(many=True))
    @blp.paginate()
    def get(self, filters: dict[str, Any], pagination_parameters: Any) -> list[Change]:
        """List changes, newest first; filter by `status`, `subprocessor_id`."""
        items, total = services.list_changes(filters, pagination_parameters.page, pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return items

    @require(*WRITERS)
    @blp.arguments(schemas.ChangeSchema)
    @blp.response(201, schemas.ChangeOutSchema)
    def post(self, data: dict[str, Any]) -> Change:
        """Draft a change (announce it with POST /changes/{id}/announce)."""
        change = services.create_change(data, actor=current_actor())
        return change


@blp.route("/changes/<int:change_id>")
class ChangeById(MethodView):
    @require(*READERS)
    @blp.etag
    @blp.response(200, schemas.ChangeOutSchema)
    def get(self, change_id: int) -> Change:
        """A change, with how many clients it was announced to."""
        return services.get_change(change_id)

    @require(*WRITERS)
    @blp.etag
    @blp.arguments(schemas.ChangePatchSchema)
    @blp.response(200, schemas.ChangeOutSchema)
    def patch(self, data: dict[str, Any], change_id: int) -> Change:
        """Edit a draft (If-Match required); 409 once announced."""
        change = services.get_change(change_id)
        blp.check_etag(change, schemas.ChangeOutSchema)
        services.update_change(change, data, actor=current_actor())
        return change


@blp.route("/changes/<int:change_id>/announce")
class Announce(MethodView):
    @require(*WRITERS)
    @blp.etag
    @blp.response(200, schemas.ChangeOutSchema)
    def post(self, change_id: int) -> Change:
        """Announce a draft (If-Match: the ETag of the last GET of the change): records each affected client and
        writes their notices, in one transaction. Each client's deadline is set when its notice is first delivered
        (accepted by its mail server, or a 2xx webhook answer), counted from then; from the announcement until the
        change takes effect or is withdrawn, what was announced of its sub-processors cannot be edited.

        422 when the effective date is not after today (an urgent replacement: not before today), is on or before
        the latest deadline the affected clients would have if told now (unless an urgent replacement), when an
        affected client has no notice contact, or when a location fails the transfer rules on the effective date;
        409 when another announced change already covers one of its sub-processors.
        """
        change = services.get_change(change_id)
        blp.check_etag(change, schemas.ChangeOutSchema)
        change = services.announce(change, today=clock.today(), actor=current_actor())
        return change


@blp.route("/changes/<int:change_id>/withdraw")
class Withdraw(MethodView):
    @require(*WRITERS)
    @blp.arguments(schemas.WithdrawSchema)
    @blp.response(200, schemas.ChangeOutSchema)
    def post(self, data: dict[str, Any], change_id: int) -> Change:
        """Withdraw a draft or announced change; everyone told of it is notified."""
        change = services.withdraw(services.get_change(change_id), reason=data["reason"], actor=current_actor())
        return change


@blp.route("/changes/<int:change_id>/clients")
class ChangeClients(MethodView):
    @require(*READERS)
    @blp.response(200, schemas.AffectedClientSchema(many=True))
    @blp.paginate()
    def get(self, change_id: int, pagination_parameters: Any) -> list[dict[str, Any]]:
        """The clients a change was announced to: what each is asked for, its deadline, answer and exclusion."""
        change = services.get_change(change_id)
        items, total = services.list_affected(change, pagination_parameters.page, pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return items


@blp.route("/changes/<int:change_id>/responses")
class ChangeResponses(MethodView):
    @require(*READERS)
    @blp.response(200, schemas.ResponseSchema(many=True))
    @blp.paginate()
    def get(self, change_id: int, pagination_parameters: Any) -> list[ChangeResponse]:
        """Every answer (objection, approval, refusal) to a change, superseded ones included, oldest first."""
        change = services.get_change(change_id)
        items, total = responses.list_responses(change, pagination_parameters.page, pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return items

    @require(*WRITERS)
    @blp.arguments(schemas.OfflineResponseSchema)
    @blp.response(201, schemas.ResponseSchema)
    def post(self, data: dict[str, Any], change_id: int) -> ChangeResponse:
        """Record an answer received by email or letter, or given by phone or in a meeting (`received_on`: the day it
        reached us, on or before the client's deadline). It supersedes the client's earlier answer and is
        acknowledged like one given through the respond link; one recorded after the change took effect is carried
        out at once (an objection holds the change for the client)."""
        change = services.get_change(change_id)
        affected = standing.find_affected(change.id, data["client_id"])
        if affected is None:
            message = f"Change {change.id} was not announced to client {data['client_id']}."
            raise Invalid(message, {"client_id": [message]})
        return responses.record_offline_response(
            affected,
            answer=data["answer"],
            channel=data["channel"],
            received_on=data["received_on"],
            respondent=data["respondent"],
            respondent_email=data["respondent_email"],
            reason=data["reason"],
            today=clock.today(),
            actor=current_actor(),
        )


@blp.route("/responses/<int:response_id>")
class ResponseById(MethodView):
    @require(*READERS)
    @blp.etag
    @blp.response(200, schemas.ResponseSchema)
    def get(self, response_id: int) -> ChangeResponse:
        """One answer and its resolution."""
        return responses.get_response(response_id)

    @require(*WRITERS)
    @blp.etag
    @blp.arguments(schemas.ResolutionSchema)
    @blp.response(200, schemas.ResponseSchema)
    def patch(self, data: dict[str, Any], response_id: int) -> ChangeResponse:
        """Record the resolution of an answer (If-Match required): withdrawn (the change, for everyone),
        alternative_offered, alternative_accepted (the change as announced does not apply to the client; the note
        describes the alternative it took), excluded_for_client, accepted_by_client or contract_terminated, with a
        note (422 without one for an alternative)."""
        response = responses.get_response(response_id)
        blp.check_etag(response, schemas.ResponseSchema)
        responses.resolve_response(response, resolution=data["resolution"], note=data["note"], actor=current_actor())
        return response


@blp.route("/responses/<int:response_id>/attachments")
class ResponseAttachments(MethodView):
    @require(*WRITERS)
    @blp.arguments(schemas.AttachmentUploadSchema, location="form_and_files")
    @blp.response(201, schemas.AttachmentSchema)
    def post(self, data: dict[str, Any], response_id: int) -> ResponseAttachment:
        """Attach the letter or email through which the client answered, as received (.pdf, .png, .jpg, .eml or
        .txt, at most 10 MB; its content must be what its name says: 422 naming `file`). Never replaced or
        deleted; audited with its SHA-256."""
        response = responses.get_response(response_id)
        upload = data["file"]
        content = read_upload(upload)
        return evidence.add_attachment(
            response, content, filename=basename(upload.filename or ""), actor=current_actor()
        )


@blp.route("/responses/<int:response_id>/attachments/<int:attachment_id>")
class ResponseAttachmentFile(MethodView):
    @require(*WRITERS)
    @blp.response(200, BINARY, content_type="application/octet-stream")
    def get(self, response_id: int, attachment_id: int) -> Any:
        """Download an attachment as it was filed (the legal team only: it may hold the client's personal data)."""
        attachment = evidence.get_attachment(responses.get_response(response_id), attachment_id)
        name = attachment.filename
        ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
        return download(attachment.content, ascii_name, name, attachment.media_type, attachment.sha256)
