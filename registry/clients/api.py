"""Clients: read by every role, written by account managers (and admins)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint, Page

from registry.auth.access import READERS, current_actor, is_admin, require
from registry.auth.models import Role
from registry.clients import schemas, services
from registry.clients.models import Client, ClientVersion
from registry.subprocessors.schemas import SubProcessorSchema

blp = Blueprint("clients", __name__, url_prefix="/api/v1", description="Clients (controllers)")

WRITERS = (Role.ACCOUNT_MANAGER,)


@blp.route("/clients")
class Clients(MethodView):
    @require(*READERS)
    @blp.arguments(schemas.ClientQuerySchema, location="query")
    @blp.response(200, schemas.ClientOutSchema(many=True))
    @blp.paginate()
    def get(self, filters: dict[str, Any], pagination_parameters: Any) -> list[Client]:
        """List clients by name; filter by `service`, `status`, `authorization`, `q` (name)."""
        items, total = services.list_clients(filters, pagination_parameters.page, pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return items

    @require(*WRITERS)
    @blp.arguments(schemas.ClientSchema)
    @blp.response(201, schemas.ClientOutSchema)
    def post(self, data: dict[str, Any]) -> Client:
        """Create a client; the response shows its private feed URL."""
        client = services.create_client(data, actor=current_actor(), by_admin=is_admin())
        return client


@blp.route("/clients/<int:client_id>")
class ClientById(MethodView):
    @require(*READERS)
    @blp.etag
    @blp.response(200, schemas.ClientOutSchema)
    def get(self, client_id: int) -> Client:
        """A client, with its feed URL and exclusions."""
        return services.get_client(client_id)

    @require(*WRITERS)
    @blp.etag
    @blp.arguments(schemas.ClientPatchSchema)
    @blp.response(200, schemas.ClientOutSchema)
    def patch(self, data: dict[str, Any], client_id: int) -> Client:
        """Edit a client (If-Match required); lists given replace the stored ones."""
        client = services.get_client(client_id)
        blp.check_etag(client, schemas.ClientOutSchema)
        services.update_client(client, data, actor=current_actor(), by_admin=is_admin())
        return client


@blp.route("/clients/<int:client_id>/history")
class ClientHistory(MethodView):
    @require(*READERS)
    @blp.response(200, schemas.ClientVersionSchema(many=True))
    @blp.paginate()
    def get(self, client_id: int, pagination_parameters: Any) -> list[ClientVersion]:
        """The saved states (services, contacts, ...), newest first, with when each was valid and who saved it."""
        items, pagination_parameters.item_count = services.history(
            client_id, pagination_parameters.page, pagination_parameters.page_size
        )
        return items


@blp.route("/clients/<int:client_id>/feed-token/rotate")
class FeedTokenRotation(MethodView):
    @require(*WRITERS)
    @blp.response(200, schemas.ClientFeedUrlSchema)
    def post(self, client_id: int) -> dict[str, Any]:
        """Issue a new private feed URL; the old one stops working."""
        client = services.rotate_feed_token(services.get_client(client_id), actor=current_actor())
        return {"feed_url": services.feed_url(client)}


@blp.route("/clients/<int:client_id>/subprocessors")
class ClientSubprocessors(MethodView):
    @require(*READERS)
    @blp.arguments(schemas.ClientSubprocessorsQuerySchema, location="query")
    @blp.response(200, SubProcessorSchema(many=True))
    @blp.paginate(Page)
    def get(self, args: dict[str, Any], client_id: int) -> list[dict[str, Any]]:
        """The sub-processors that apply to this client on `as_of` (default today), with locations and safeguards."""
        return services.applicable_subprocessors(services.get_client(client_id), args.get("as_of"))
