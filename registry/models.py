"""Every feature's models in one import, so the metadata (and Alembic's autogenerate) sees every table."""

from registry.audit.models import AuditEvent
from registry.auth.models import ApiToken, User
from registry.clients.models import Client, ClientContact, Exclusion
from registry.dpas.models import Dpa, DpaTemplate
from registry.profile.models import ProcessorProfile
from registry.subprocessors.models import Location, Service, SubProcessor, SubProcessorVersion

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Client",
    "ClientContact",
    "Dpa",
    "DpaTemplate",
    "Exclusion",
    "Location",
    "ProcessorProfile",
    "Service",
    "SubProcessor",
    "SubProcessorVersion",
    "User",
]
