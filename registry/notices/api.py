"""The delivery log (read by every role) and client webhook endpoints (managed by account managers)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from registry.auth.access import READERS, current_actor, require
from registry.auth.models import Role
from registry.clients import services as clients
from registry.notices import delivery, schemas
from registry.outbox import endpoints
from registry.outbox.models import Notice, WebhookEndpoint

blp = Blueprint("notices", __name__, url_prefix="/api/v1", description="Notice delivery and webhook endpoints")

WRITERS = (Role.ACCOUNT_MANAGER,)
ENDPOINT_FIELDS = tuple(schemas.WebhookEndpointSchema().fields)


@blp.route("/notices")
class Notices(MethodView):
    @require(*READERS)
    @blp.arguments(schemas.NoticeQuerySchema, location="query")
    @blp.response(200, schemas.NoticeSchema(many=True))
    @blp.paginate()
    def get(self, filters: dict[str, Any], pagination_parameters: Any) -> list[Notice]:
        """The outbox, newest first: per recipient status, attempts, last error, sent time and message id."""
        items, total = delivery.list_notices(filters, pagination_parameters.page, pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return items


@blp.route("/clients/<int:client_id>/webhooks")
class ClientWebhooks(MethodView):
    @require(*READERS)
    @blp.response(200, schemas.WebhookEndpointSchema(many=True))
    @blp.paginate()
    def get(self, client_id: int, pagination_parameters: Any) -> list[WebhookEndpoint]:
        """A client's webhook endpoints (never their secrets)."""
        client = clients.get_client(client_id)
        items, total = endpoints.list_endpoints(client, pagination_parameters.page, pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return items

    @require(*WRITERS)
    @blp.arguments(schemas.WebhookEndpointSchema)
    @blp.response(201, schemas.NewWebhookEndpointSchema)
    def post(self, data: dict[str, Any], client_id: int) -> dict[str, Any]:
        """Register an endpoint; the response shows its signing secret once. Private addresses are refused."""
        endpoint, secret = endpoints.create_endpoint(clients.get_client(client_id), data["url"], actor=current_actor())
        return {**{name: getattr(endpoint, name) for name in ENDPOINT_FIELDS}, "secret": secret}


@blp.route("/webhooks/<int:endpoint_id>")
class WebhookById(MethodView):
    @require(*WRITERS)
    @blp.response(204)
    def delete(self, endpoint_id: int) -> None:
        """Remove an endpoint; events not yet delivered to it are dropped."""
        endpoints.delete_endpoint(endpoints.get_endpoint(endpoint_id), actor=current_actor())


@blp.route("/webhooks/<int:endpoint_id>/rotate-secret")
class WebhookSecretRotation(MethodView):
    @require(*WRITERS)
    @blp.response(200, schemas.WebhookSecretSchema)
    def post(self, endpoint_id: int) -> dict[str, Any]:
        """Issue a new signing secret (shown once); for 24 hours events carry signatures with both."""
        secret = endpoints.rotate_secret(endpoints.get_endpoint(endpoint_id), actor=current_actor())
        return {"secret": secret}
