"""Every feature's models in one import, so the metadata (and Alembic's autogenerate) sees every table."""

from registry.audit.models import AuditEvent
from registry.auth.models import ApiToken, User
from registry.changes.models import AffectedClient, Change, ChangeResponse
from registry.clients.models import Client, ClientContact, ClientVersion, Exclusion
from registry.dpas.models import Dpa, DpaTemplate
from registry.outbox.models import Notice
from registry.profile.models import ProcessorProfile
from registry.subprocessors.models import Location, Service, SubProcessor, SubProcessorVersion
from registry.subscriptions.models import SubscribeAttempt, Subscriber

__all__ = [
    "AffectedClient",
    "ApiToken",
    "AuditEvent",
    "Change",
    "ChangeResponse",
    "Client",
    "ClientContact",
    "ClientVersion",
    "Dpa",
    "DpaTemplate",
    "Exclusion",
    "Location",
    "Notice",
    "ProcessorProfile",
    "Service",
    "SubProcessor",
    "SubProcessorVersion",
    "SubscribeAttempt",
    "Subscriber",
    "User",
]
