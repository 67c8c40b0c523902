"""All ORM models, imported here so Alembic and metadata see every table."""

from safepath.store.models.base import Base
from safepath.store.models.directory import Organisation, Service, ServiceCoverage
from safepath.store.models.places import Place

__all__ = ["Base", "Organisation", "Place", "Service", "ServiceCoverage"]
