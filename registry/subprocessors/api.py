"""Services and the sub-processor registry: lists (also as of a date), history, differences between dates."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint, Page

from registry.auth.access import READERS, current_actor, require
from registry.auth.models import Role
from registry.subprocessors import history, schemas, services
from registry.subprocessors.models import Service, SubProcessor, SubProcessorVersion

blp = Blueprint("subprocessors", __name__, url_prefix="/api/v1", description="Services and sub-processors")


@blp.route("/services")
class Services(MethodView):
    @require(*READERS)
    @blp.response(200, schemas.ServiceSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> list[Service]:
        """List our services (products), by slug."""
        items, pagination_parameters.item_count = services.list_services(
            pagination_parameters.page, pagination_parameters.page_size
        )
        return items

    @require(Role.LEGAL)
    @blp.etag
    @blp.arguments(schemas.ServiceSchema)
    @blp.response(201, schemas.ServiceSchema)
    def post(self, data: dict[str, Any]) -> Service:
        """Add a service; 409 if the slug is taken."""
        service = services.create_service(data, actor=current_actor())
        return service


@blp.route("/services/<slug>")
class ServiceBySlug(MethodView):
    @require(*READERS)
    @blp.etag
    @blp.response(200, schemas.ServiceSchema)
    def get(self, slug: str) -> Service:
        """Get a service."""
        return services.get_service(slug)

    @require(Role.LEGAL)
    @blp.etag
    @blp.arguments(schemas.ServicePatchSchema)
    @blp.response(200, schemas.ServiceSchema)
    def patch(self, changes: dict[str, Any], slug: str) -> Service:
        """Change a service's name or description (If-Match: the ETag of the last GET)."""
        service = services.get_service(slug)
        blp.check_etag(service, schemas.ServiceSchema)
        services.update_service(service, changes, actor=current_actor())
        return service


@blp.route("/subprocessors")
class SubProcessors(MethodView):
    @require(*READERS)
    @blp.arguments(schemas.SubProcessorQuerySchema, location="query")
    @blp.response(200, schemas.SubProcessorSchema(many=True))
    @blp.paginate(Page)
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """List sub-processors by name, now or as they stood at the end of `as_of` (UTC)."""
        return services.list_subprocessors(**args)

    @require(Role.LEGAL)
    @blp.etag
    @blp.arguments(schemas.SubProcessorSchema)
    @blp.response(201, schemas.SubProcessorSchema)
    def post(self, data: dict[str, Any]) -> SubProcessor:
        """Add a sub-processor; every location is checked against the transfer rules."""
        subprocessor = services.create_subprocessor(data, actor=current_actor())
        return subprocessor


@blp.route("/subprocessors/diff")
class SubProcessorDiff(MethodView):
    @require(*READERS)
    @blp.arguments(schemas.SubProcessorDiffQuerySchema, location="query")
    @blp.response(200, schemas.SubProcessorDiffSchema)
    def get(self, args: dict[str, Any]) -> history.ListDiff:
        """What changed in the list of active sub-processors between the ends of two days (UTC)."""
        service = args.get("service")
        return history.diff_lists(args["start"], args["end"], service_slugs=None if service is None else [service])


@blp.route("/subprocessors/<int:subprocessor_id>")
class SubProcessorById(MethodView):
    @require(*READERS)
    @blp.etag
    @blp.response(200, schemas.SubProcessorSchema)
    def get(self, subprocessor_id: int) -> SubProcessor:
        """Get a sub-processor."""
        return services.get_subprocessor(subprocessor_id)

    @require(Role.LEGAL)
    @blp.etag
    @blp.arguments(schemas.SubProcessorPatchSchema)
    @blp.response(200, schemas.SubProcessorSchema)
    def patch(self, changes: dict[str, Any], subprocessor_id: int) -> SubProcessor:
        """Change some fields (If-Match: the ETag of the last GET); a new version is kept in the history.

        409 for what clients must be told of (status, services, locations, purpose, category, data categories and
        subjects, DPF certification and recheck date) unless the sub-processor is a proposal that no announced change
        covers: those change through a change (add, replace, update, remove). A proposal may be dropped (retired).
        """
        subprocessor = services.get_subprocessor(subprocessor_id)
        blp.check_etag(subprocessor, schemas.SubProcessorSchema)
        services.update_subprocessor(subprocessor, changes, actor=current_actor())
        return subprocessor


@blp.route("/subprocessors/<int:subprocessor_id>/history")
class SubProcessorHistory(MethodView):
    @require(*READERS)
    @blp.response(200, schemas.SubProcessorVersionSchema(many=True))
    @blp.paginate()
    def get(self, subprocessor_id: int, pagination_parameters: Any) -> list[SubProcessorVersion]:
        """The saved states, newest first, with when each was valid and who saved it."""
        items, pagination_parameters.item_count = services.history(
            subprocessor_id, pagination_parameters.page, pagination_parameters.page_size
        )
        return items
