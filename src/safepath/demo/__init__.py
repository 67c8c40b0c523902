"""Demo data: a small synthetic country ("Meridia", XMR, user-assigned code) with adm1/adm2 places,
their synthetic boundaries (a 6 x 6 degree square tiled by rectangles), organisations and
services. Loading is idempotent: stable codes are upserted, never duplicated."""

from __future__ import annotations

from importlib.resources import as_file, files

from sqlalchemy import update

from safepath.cases.instruments import instrument
from safepath.directory import OrganisationIn, ServiceIn, upsert_organisation, upsert_service
from safepath.places import import_places, read_place_table
from safepath.places.area_profiles import save_area_profile
from safepath.places.boundaries import read_boundaries, save_boundaries
from safepath.risk.area_profile import AreaProfile
from safepath.store.db import session_scope
from safepath.store.models import Place
from safepath.wiring import wire

COUNTRY = "XMR"
COUNTRY_NAME = "Meridia (demo)"

ORGANISATIONS = [
    OrganisationIn(
        code="demo-agency", name="Meridia Protection Agency", kind="agency", country=COUNTRY
    ),
    OrganisationIn(
        code="legal-aid", name="Meridia Legal Aid Network", kind="partner", country=COUNTRY
    ),
    OrganisationIn(
        code="health-net",
        name="Community Health and MHPSS Network",
        kind="partner",
        country=COUNTRY,
    ),
    OrganisationIn(
        code="safe-shelter", name="Safe Shelter Association", kind="partner", country=COUNTRY
    ),
    OrganisationIn(code="child-first", name="Child First Meridia", kind="partner", country=COUNTRY),
]

SERVICES: list[tuple[str, ServiceIn]] = [
    (
        "legal-aid",
        ServiceIn(
            code="civil-docs",
            name="Civil documentation and legal identity",
            thematic_area="legal_identity",
            contact="+000 555 0101",
            eligibility="Anyone without identity or civil documents",
            places=["XM01", "XM02"],
        ),
    ),
    (
        "legal-aid",
        ServiceIn(
            code="detention-aid",
            name="Legal counselling for detained migrants",
            thematic_area="alternatives_to_detention",
            contact="+000 555 0102",
            eligibility="Migrants in or at risk of immigration detention",
            places=["XM03", "XM04"],
        ),
    ),
    (
        "health-net",
        ServiceIn(
            code="mhpss",
            name="Psychosocial support and health referral",
            thematic_area="health_mhpss",
            contact="+000 555 0201",
            eligibility="All ages",
            places=["XM01", "XM02", "XM03", "XM04"],
        ),
    ),
    (
        "safe-shelter",
        ServiceIn(
            code="gbv-shelter",
            name="Safe shelter for GBV survivors",
            thematic_area="gbv",
            contact="+000 555 0301",
            eligibility="Women and girls at risk of gender-based violence",
            places=["XM02", "XM03"],
        ),
    ),
    (
        "safe-shelter",
        ServiceIn(
            code="vot-shelter",
            name="Shelter and assistance for victims of trafficking",
            thematic_area="counter_trafficking",
            contact="+000 555 0302",
            eligibility="Presumed and identified victims of trafficking",
            places=["XM04"],
        ),
    ),
    (
        "child-first",
        ServiceIn(
            code="uasc-care",
            name="Family tracing and interim care for children",
            thematic_area="child_protection",
            contact="+000 555 0401",
            eligibility="Unaccompanied and separated children",
            places=["XM01", "XM02", "XM03", "XM04"],
        ),
    ),
    (
        "demo-agency",
        ServiceIn(
            code="case-management",
            name="Protection case management",
            thematic_area="other",
            contact="+000 555 0001",
            eligibility="Migrants and displaced people at risk",
            places=["XMR"],
        ),
    ),
]


def load_demo() -> list[str]:
    """Load (or refresh) the demo data; returns human-readable lines of what is there."""
    wire()
    with as_file(files("safepath.demo") / "places.csv") as path:
        rows = read_place_table(path)
    with session_scope() as session:
        report = import_places(session, rows, scope="demo places")
        session.execute(update(Place).where(Place.pcode == COUNTRY).values(name=COUNTRY_NAME))
        for org in ORGANISATIONS:
            upsert_organisation(session, org)
        for org_code, svc in SERVICES:
            upsert_service(session, org_code, svc)
        tool = instrument()
        text = (files("safepath.demo") / "area-profile.csv").read_text(encoding="utf-8")
        profile = AreaProfile.from_csv_text(text, source="demo area-profile.csv", model=tool.model)
        areas = save_area_profile(session, tool.model_id, profile, "demo area-profile.csv")
        with as_file(files("safepath.demo") / "boundaries.geojson") as path:
            outlines = save_boundaries(session, read_boundaries(path), "demo boundaries.geojson")
    levels = ", ".join(f"{n} adm{lvl}" for lvl, n in sorted(report.by_level.items()))
    return [
        f"places: {COUNTRY_NAME} with {levels}"
        + (" (already loaded)" if not report.changed else ""),
        f"organisations: {len(ORGANISATIONS)}; services: {len(SERVICES)}",
        f"area profile ({tool.model_id}): {areas.rows} districts"
        + (" (already loaded)" if not (areas.added or areas.updated) else ""),
        f"boundaries: {outlines.features} adm1 and adm2 outlines for the maps"
        + (" (already loaded)" if not (outlines.added or outlines.updated) else ""),
    ]
