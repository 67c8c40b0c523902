"""All ORM models, imported here so Alembic and metadata see every table.

Person, Consent and BlindIndex are deliberately not re-exported: outside ``store`` and
``privacy`` persons are reached only through the privacy layer's ``persons`` service.
"""

from safepath.store.models import advocacy as _advocacy  # noqa: F401
from safepath.store.models import attachments as _attachments  # noqa: F401
from safepath.store.models import feedback as _feedback  # noqa: F401
from safepath.store.models import households as _households  # noqa: F401
from safepath.store.models import mainstreaming as _mainstreaming  # noqa: F401
from safepath.store.models import persons as _persons  # noqa: F401  (registers the tables)
from safepath.store.models.areas import AreaPhase, AreaProfileRow
from safepath.store.models.audit import AuditEvent
from safepath.store.models.base import Base
from safepath.store.models.cases import Assessment, Case, FollowUp, Intervention, Referral
from safepath.store.models.directory import Organisation, Service, ServiceCoverage
from safepath.store.models.identity import (
    ApiToken,
    LoginThrottle,
    RoleGrant,
    Team,
    User,
    WebSession,
    user_teams,
)
from safepath.store.models.places import Place, PlaceBoundary
from safepath.store.models.surveys import SurveyForm, SurveyImport, SurveyRound

__all__ = [
    "ApiToken",
    "AreaPhase",
    "AreaProfileRow",
    "Assessment",
    "AuditEvent",
    "Base",
    "Case",
    "FollowUp",
    "Intervention",
    "LoginThrottle",
    "Organisation",
    "Place",
    "PlaceBoundary",
    "Referral",
    "RoleGrant",
    "Service",
    "ServiceCoverage",
    "SurveyForm",
    "SurveyImport",
    "SurveyRound",
    "Team",
    "User",
    "WebSession",
    "user_teams",
]
