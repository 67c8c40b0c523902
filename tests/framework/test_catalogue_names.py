"""Pins the counts and exact English wording (domain REFERENCE.md) of the main lists, the
typed attributes (values, age bounds) and the sources."""

from __future__ import annotations

import pytest

from safepath.framework import catalogue

ENGLISH: dict[str, list[str]] = {
    "gpc_risks": [
        (
            "Abduction, kidnapping, enforced disappearance, "
            "arbitrary or unlawful arrest and/or detention"
        ),
        "Attacks on civilians and other unlawful killings, and attacks on civilian objects",
        "Child and forced family separation",
        "Child, early or forced marriage",
        (
            "Discrimination and stigmatization, denial of resources, opportunities, "
            "services and/or humanitarian access"
        ),
        "Disinformation and denial of access to information",
        "Forced recruitment and association of children in armed forces and groups",
        "Gender-based violence",
        "Impediments and/or restrictions to access to legal identity, remedies and justice",
        "Presence of mine and other explosive ordnance",
        "Psychological/emotional abuse or inflicted distress",
        "Theft, extortion, forced eviction or destruction of personal property",
        "Torture or cruel, inhuman, degrading treatment or punishment",
        "Trafficking in persons, forced labour or slavery-like practices",
        (
            "Unlawful impediments or restrictions to freedom of movement, "
            "siege and forced displacement"
        ),
    ],
    "modalities": [
        "Preventive",
        "Responsive",
        "Remedial",
        "Environment building",
    ],
    "mainstreaming_principles": [
        "Safety and dignity and do no harm",
        "Meaningful access",
        "Accountability",
        "Participation and empowerment",
    ],
    "levels": [
        "Individual",
        "Household",
        "Community",
        "Structural",
    ],
    "rights": [
        "Right to life",
        "Freedom of movement",
        "Access to justice, remedy and reparation",
        "Family life",
        "Social security",
        "Health and well-being",
        "Education",
        "Decent standards of work and living",
        "Non-discrimination",
        "Privacy and data protection",
        "Prohibition of refoulement",
        "Freedom from torture",
        "Freedom from slavery",
    ],
    "bodies_of_law": [
        "International human rights law",
        "International humanitarian law",
        "International refugee law",
        "Labour law",
        "Maritime law and law of the sea",
        "Consular law",
        "Transnational criminal law",
    ],
    "thematic_areas": [
        "Counter-trafficking",
        "Alternatives to immigration detention",
        "Legal identity / civil documentation",
        "Mine risk education",
        "Combatting gender-based violence",
        "Child protection",
        "Housing, land and property rights",
        "Access to health services and mental health and psychosocial support",
        "Prevention of sexual exploitation and abuse",
        "Disability inclusion",
        "Search and rescue at sea and on land",
        "Protection of civilians",
        "Addressing xenophobia and racism",
        "Return, readmission and reintegration",
        "Social cohesion",
        "International migration law",
        "Ethical recruitment",
        "Protection of migrant workers",
        "Other",
    ],
    "roadmap_pillars": [
        "Leadership",
        "Accountability",
        "Capacity",
        "Advocacy",
        "Partnership",
    ],
    "severity_phases": [
        "None/minimal",
        "Stress",
        "Severe",
        "Extreme",
        "Catastrophic",
    ],
    "gbvims_incident_types": [
        "Rape",
        "Sexual assault",
        "Physical assault",
        "Forced marriage",
        "Denial of resources, opportunities or services",
        "Psychological/emotional abuse",
    ],
    "iom_data_protection_principles": [
        "Lawful and fair collection",
        "Specified and legitimate purpose",
        "Data quality",
        "Consent",
        "Transfer to third parties",
        "Confidentiality",
        "Access and transparency",
        "Data security",
        "Retention of personal data",
        "Application of the principles",
        "Ownership of personal data",
        "Oversight, compliance and internal remedies",
        "Exceptions",
    ],
    "iasc_data_responsibility_principles": [
        "Accountability",
        "Confidentiality",
        "Coordination and collaboration",
        "Data security",
        "Defined purpose, necessity and proportionality",
        "Fairness and legitimacy",
        "Human-rights-based approach",
        "People-centred and inclusive",
        "Personal data protection",
        "Quality",
        "Retention and destruction",
        "Transparency",
    ],
    "washington_group_domains": [
        "Seeing",
        "Hearing",
        "Walking or climbing steps",
        "Remembering or concentrating",
        "Self-care",
        "Communicating",
    ],
    "age_brackets": [
        "0–4",
        "5–11",
        "12–17",
        "18–59",
        "60+",
        "Unknown",
    ],
    "population_groups": [
        "Migrant",
        "Internally displaced person",
        "Refugee",
        "Asylum seeker",
        "Returnee",
        "Host community member",
        "Migrant worker",
        "Smuggled migrant",
        "Victim of trafficking",
        "Unaccompanied or separated child",
        "Stateless person",
        "Other",
    ],
}

COUNTS = {
    "gpc_risks": 15,
    "modalities": 4,
    "mainstreaming_principles": 4,
    "levels": 4,
    "rights": 13,
    "bodies_of_law": 7,
    "thematic_areas": 19,
    "roadmap_pillars": 5,
    "severity_phases": 5,
    "gbvims_incident_types": 6,
    "iom_data_protection_principles": 13,
    "iasc_data_responsibility_principles": 12,
    "washington_group_domains": 6,
    "age_brackets": 6,
    "population_groups": 12,
}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_counts_and_english_names_are_pinned(name: str) -> None:
    lst = catalogue().get(name)
    assert len(lst.entries) == COUNTS[name]
    assert [e.label("en") for e in lst.entries] == ENGLISH[name]


def test_pinned_tables_agree_with_each_other() -> None:
    # Guards the test itself: the counts and the English names describe the same lists.
    assert set(COUNTS) == set(ENGLISH)
    assert all(COUNTS[n] == len(ENGLISH[n]) for n in COUNTS)


def test_severity_phases_carry_values_one_to_five() -> None:
    lst = catalogue().get("severity_phases")
    assert [(e.code, e.value) for e in lst.entries] == [
        ("none_minimal", 1),
        ("stress", 2),
        ("severe", 3),
        ("extreme", 4),
        ("catastrophic", 5),
    ]


def test_case_risk_levels_are_ordered_by_value() -> None:
    values = {e.code: e.value for e in catalogue().get("case_risk_levels").entries}
    assert values == {"high": 3, "medium": 2, "low": 1, "none": 0}
    assert catalogue().entry("case_risk_levels", "none").label("en") == "No risk"


def test_washington_group_answers_carry_values_one_to_four() -> None:
    lst = catalogue().get("washington_group_answers")
    assert [e.value for e in lst.entries] == [1, 2, 3, 4]
    assert [e.label("en") for e in lst.entries] == [
        "No difficulty",
        "Some difficulty",
        "A lot of difficulty",
        "Cannot do at all",
    ]


def test_age_brackets_cover_every_age_without_gaps() -> None:
    entries = catalogue().get("age_brackets").entries
    bounds = [(e.min_age, e.max_age) for e in entries]
    assert bounds == [(0, 4), (5, 11), (12, 17), (18, 59), (60, None), (None, None)]


def test_sources_cite_the_reference_documents() -> None:
    cat = catalogue()
    assert (
        cat.get("gpc_risks").source
        == "Global Protection Cluster, Protection Risks: Explanatory Note"
    )
    assert cat.get("modalities").source == "IOM, IOM's Approach to Protection (2023), Annex II"
    assert cat.get("paf_pillars").source.startswith(
        "Global Protection Cluster, Protection Analytical"
    )
    assert cat.get("iasc_data_responsibility_principles").source.startswith("IASC, Operational")
    # An entry-level source overrides the list's.
    assert cat.entry("bodies_of_law", "ihl").source is not None
    assert cat.entry("bodies_of_law", "labour_law").source is None


def test_modality_descriptions_follow_annex_ii() -> None:
    cat = catalogue()
    assert "deliberate deprivation" in cat.entry("modalities", "preventive").description
    assert "prevent recurrence" in cat.entry("modalities", "responsive").description
    assert "restores dignity" in cat.entry("modalities", "remedial").description
    assert "standard setting" in cat.entry("modalities", "environment_building").description
