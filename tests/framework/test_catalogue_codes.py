"""Pins the codes of every catalogue list, in order, as docs/catalogue-codes.md fixes them."""

from __future__ import annotations

import pytest

from safepath.framework import catalogue

CODES: dict[str, list[str]] = {
    "gpc_risks": [
        "abduction_detention",
        "attacks_on_civilians",
        "family_separation",
        "child_marriage",
        "discrimination_denial",
        "disinformation",
        "child_recruitment",
        "gbv",
        "legal_identity_justice",
        "explosive_ordnance",
        "psychological_abuse",
        "theft_extortion_eviction",
        "torture",
        "trafficking_forced_labour",
        "movement_restrictions",
    ],
    "modalities": [
        "preventive",
        "responsive",
        "remedial",
        "environment_building",
    ],
    "levels": [
        "individual",
        "household",
        "community",
        "structural",
    ],
    "risk_components": [
        "threat",
        "vulnerability",
        "capacity",
    ],
    "rights": [
        "right_to_life",
        "freedom_of_movement",
        "access_to_justice",
        "family_life",
        "social_security",
        "health",
        "education",
        "decent_work_living",
        "non_discrimination",
        "privacy_data_protection",
        "non_refoulement",
        "freedom_from_torture",
        "freedom_from_slavery",
    ],
    "bodies_of_law": [
        "ihrl",
        "ihl",
        "refugee_law",
        "labour_law",
        "maritime_law",
        "consular_law",
        "transnational_criminal_law",
    ],
    "thematic_areas": [
        "counter_trafficking",
        "alternatives_to_detention",
        "legal_identity",
        "mine_risk_education",
        "gbv",
        "child_protection",
        "hlp",
        "health_mhpss",
        "psea",
        "disability_inclusion",
        "search_and_rescue",
        "protection_of_civilians",
        "xenophobia_racism",
        "return_reintegration",
        "social_cohesion",
        "international_migration_law",
        "ethical_recruitment",
        "migrant_workers",
        "other",
    ],
    "programming_types": [
        "mainstreaming",
        "integration",
        "specialized",
    ],
    "mainstreaming_principles": [
        "safety_dignity_do_no_harm",
        "meaningful_access",
        "accountability",
        "participation_empowerment",
    ],
    "project_cycle_stages": [
        "assessment_analysis",
        "design",
        "implementation",
        "monitoring",
        "evaluation",
    ],
    "humanitarian_principles": [
        "humanity",
        "impartiality",
        "neutrality",
        "independence",
    ],
    "roadmap_pillars": [
        "leadership",
        "accountability",
        "capacity",
        "advocacy",
        "partnership",
    ],
    "migration_governance": [
        "migration_development",
        "facilitating_migration",
        "regulating_migration",
        "forced_migration",
    ],
    "durable_solutions_focus_areas": [
        "locally_led_development",
        "data_partnerships",
        "governance_policy",
        "displacement_prevention",
    ],
    "population_groups": [
        "migrant",
        "idp",
        "refugee",
        "asylum_seeker",
        "returnee",
        "host_community",
        "migrant_worker",
        "smuggled_migrant",
        "victim_of_trafficking",
        "uasc",
        "stateless",
        "other",
    ],
    "personal_characteristics": [
        "age",
        "gender_identity",
        "origin",
        "religion",
        "disability",
        "health",
        "legal_status",
    ],
    "migration_stages": [
        "origin",
        "transit",
        "destination",
        "return",
    ],
    "paf_pillars": [
        "context",
        "current_threats",
        "threat_effects",
        "existing_capacities",
    ],
    "severity_phases": [
        "none_minimal",
        "stress",
        "severe",
        "extreme",
        "catastrophic",
    ],
    "case_risk_levels": [
        "high",
        "medium",
        "low",
        "none",
    ],
    "case_management_steps": [
        "identification_registration",
        "assessment",
        "case_planning",
        "implementation",
        "follow_up_review",
        "case_closure",
    ],
    "consent_purposes": [
        "case_management",
        "referral_sharing",
        "analysis",
    ],
    "gbvims_incident_types": [
        "rape",
        "sexual_assault",
        "physical_assault",
        "forced_marriage",
        "denial_of_resources",
        "psychological_abuse",
    ],
    "best_interests_procedures": [
        "bia",
        "bid",
    ],
    "iom_data_protection_principles": [
        "lawful_fair_collection",
        "specified_legitimate_purpose",
        "data_quality",
        "consent",
        "transfer_to_third_parties",
        "confidentiality",
        "access_transparency",
        "data_security",
        "retention",
        "application_of_principles",
        "ownership",
        "oversight_compliance_remedies",
        "exceptions",
    ],
    "iasc_data_responsibility_principles": [
        "accountability",
        "confidentiality",
        "coordination_collaboration",
        "data_security",
        "defined_purpose_necessity_proportionality",
        "fairness_legitimacy",
        "human_rights_based_approach",
        "people_centred_inclusive",
        "personal_data_protection",
        "quality",
        "retention_destruction",
        "transparency",
    ],
    "washington_group_domains": [
        "seeing",
        "hearing",
        "mobility",
        "cognition",
        "self_care",
        "communication",
    ],
    "washington_group_answers": [
        "no_difficulty",
        "some_difficulty",
        "a_lot_of_difficulty",
        "cannot_do_at_all",
    ],
    "age_brackets": [
        "age_0_4",
        "age_5_11",
        "age_12_17",
        "age_18_59",
        "age_60_plus",
        "unknown",
    ],
    "sex_gender": [
        "female",
        "male",
        "other",
        "prefer_not_to_say",
    ],
    "complaint_categories": [
        "assistance_quality",
        "access_exclusion",
        "information_request",
        "suggestion_appreciation",
        "safety_protection_concern",
        "sexual_exploitation_abuse",
        "fraud_corruption",
        "staff_misconduct",
        "other",
    ],
    "complaint_channels": [
        "hotline",
        "help_desk",
        "suggestion_box",
        "community_meeting",
        "web_form",
    ],
    "duty_bearer_levels": ["local", "national", "regional"],
    "advocacy_actions": ["meeting", "letter", "joint_statement"],
}


def test_the_catalogue_holds_exactly_the_documented_lists() -> None:
    assert catalogue().names() == sorted(CODES)
    assert len(catalogue()) == 34


@pytest.mark.parametrize("name", sorted(CODES))
def test_codes_are_pinned_in_order(name: str) -> None:
    assert catalogue().codes(name) == CODES[name]


def test_complaint_categories_flag_the_sensitive_ones() -> None:
    # Sensitive categories are routed to the PSEA focal point only (safepath.feedback).
    entries = catalogue().get("complaint_categories").entries
    assert {e.code for e in entries if e.sensitive} == {
        "sexual_exploitation_abuse",
        "fraud_corruption",
        "staff_misconduct",
    }
    assert all(e.sensitive is not None for e in entries)
