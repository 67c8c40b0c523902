"""Organisations (agencies, partners) and the services they offer — the referral directory."""

from safepath.directory.service import (
    OrganisationIn,
    ServiceIn,
    find_services,
    list_organisations,
    services_of,
    upsert_organisation,
    upsert_service,
)

__all__ = [
    "OrganisationIn",
    "ServiceIn",
    "find_services",
    "list_organisations",
    "services_of",
    "upsert_organisation",
    "upsert_service",
]
