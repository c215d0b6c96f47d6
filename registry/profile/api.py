"""The processor profile: read by every role, edited by admins."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from registry.auth.access import READERS, current_actor, require
from registry.auth.models import Role
from registry.profile import schemas, services
from registry.profile.models import ProcessorProfile

blp = Blueprint("profile", __name__, url_prefix="/api/v1", description="The processor profile (our company)")


@blp.route("/profile")
class Profile(MethodView):
    @require(*READERS)
    @blp.etag
    @blp.response(200, schemas.ProfileSchema)
    def get(self) -> ProcessorProfile:
        """The processor profile (created with defaults on first read)."""
        profile = services.get_profile()
        return profile

    @require(Role.ADMIN)
    @blp.etag
    @blp.arguments(schemas.ProfileSchema)
    @blp.response(200, schemas.ProfileSchema)
    def patch(self, data: dict[str, Any]) -> ProcessorProfile:
        """Edit the processor profile (If-Match required)."""
        profile = services.get_profile()
        blp.check_etag(profile, schemas.ProfileSchema)
        services.update_profile(data, actor=current_actor())
        return profile
