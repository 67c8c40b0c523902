"""Statistical disclosure control of microdata: sdcMicro's risk measures and anonymisation
methods, on Ibis (the work that scales with the records runs in the database; DuckDB for frames
and files).

- frequencies: fk and Fk per key pattern, a missing value matching any category (``frequencies``)
- risk: individual (approx / exact, ``qual``), global, expected re-identifications, household,
  k-anonymity, l-diversity (``individual``, ``measures``)
- anonymisation: global recoding, local suppression, PRAM, MDAV microaggregation, information
  loss (``recode``, ``suppress``, ``pram``, ``mdav``, ``infoloss``)
- policy on exports: check, refuse or anonymise, audit (``policy``)

Functions take an Ibis table, so a stored survey round is measured where it is stored.
"""

from safepath.privacy.disclosure.frequencies import Patterns, key_patterns
from safepath.privacy.disclosure.individual import individual_risk
from safepath.privacy.disclosure.measures import (
    K_LEVELS,
    HouseholdRisk,
    LDiversity,
    RiskMeasures,
    k_violations,
    l_diversity,
    measure_risk,
    record_risk,
)
from safepath.privacy.disclosure.policy import (
    ControlledExport,
    DisclosurePolicy,
    DisclosureRefused,
    DisclosureReport,
    check_export,
    control_export,
)
from safepath.privacy.disclosure.suppress import Suppression, local_suppression
from safepath.privacy.disclosure.tables import as_table

__all__ = [
    "K_LEVELS",
    "ControlledExport",
    "DisclosurePolicy",
    "DisclosureRefused",
    "DisclosureReport",
    "HouseholdRisk",
    "LDiversity",
    "Patterns",
    "RiskMeasures",
    "Suppression",
    "as_table",
    "check_export",
    "control_export",
    "individual_risk",
    "k_violations",
    "key_patterns",
    "l_diversity",
    "local_suppression",
    "measure_risk",
    "record_risk",
]
