"""A small XLSForm with everything the importer reads (groups, a repeat, choice lists in two
languages, a constraint, personal fields) and exports of it, for fast tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from safepath.surveys.forms.build import write_workbook

SURVEY: list[dict[str, Any]] = [
    {"type": "start", "name": "start"},
    {"type": "end", "name": "end"},
    {"type": "begin_group", "name": "hh", "label::english": "Household", "label::french": "Ménage"},
    {
        "type": "text",
        "name": "resp_name",
        "label::english": "Respondent name",
        "label::french": "Nom",
    },
    {
        "type": "text",
        "name": "phone",
        "label::english": "Phone number",
        "label::french": "Téléphone",
    },
    {
        "type": "integer",
        "name": "hh_size",
        "label::english": "Household size",
        "label::french": "Taille du ménage",
        "constraint": ". > 0 and . < 30",
        "constraint_message::english": "between 1 and 29",
    },
    {
        "type": "select_one yn",
        "name": "displaced",
        "label::english": "Displaced?",
        "label::french": "Déplacé ?",
    },
    {
        "type": "select_multiple needs",
        "name": "needs",
        "label::english": "Priority needs",
        "label::french": "Besoins prioritaires",
    },
    {"type": "geopoint", "name": "gps", "label::english": "Location", "label::french": "Lieu"},
    {"type": "end_group", "name": "hh"},
    {
        "type": "begin_repeat",
        "name": "members",
        "label::english": "Members",
        "label::french": "Membres",
        "repeat_count": "${hh_size}",
    },
    {"type": "integer", "name": "age", "label::english": "Age", "label::french": "Âge"},
    {
        "type": "select_one wg",
        "name": "wg_seeing",
        "label::english": "Difficulty seeing",
        "label::french": "Difficulté à voir",
    },
    {"type": "end_repeat", "name": "members"},
    {"type": "calculate", "name": "instanceID", "calculation": "concat('uuid:', uuid())"},
]
CHOICES: list[dict[str, Any]] = [
    {"list_name": "yn", "name": "yes", "label::english": "Yes", "label::french": "Oui"},
    {"list_name": "yn", "name": "no", "label::english": "No", "label::french": "Non"},
    {"list_name": "needs", "name": "food", "label::english": "Food", "label::french": "Nourriture"},
    {
        "list_name": "needs",
        "name": "water",
        "label::english": "Drinking water",
        "label::french": "Eau",
    },
    {"list_name": "needs", "name": "shelter", "label::english": "Shelter", "label::french": "Abri"},
    {
        "list_name": "wg",
        "name": "no_difficulty",
        "label::english": "No difficulty",
        "label::french": "Aucune",
    },
    {
        "list_name": "wg",
        "name": "some_difficulty",
        "label::english": "Some difficulty",
        "label::french": "Quelque",
    },
    {
        "list_name": "wg",
        "name": "lot_of_difficulty",
        "label::english": "A lot of difficulty",
        "label::french": "Beaucoup",
    },
    {
        "list_name": "wg",
        "name": "cannot_do",
        "label::english": "Cannot do at all",
        "label::french": "Pas du tout",
    },
]
SETTINGS = [{"form_id": "sample_hh", "form_title": "Sample household", "version": "2024-01"}]

NAME = "Amina Qasim Zeebari"  # a seeded personal value: must never be stored in clear
PHONE = "+964 770 555 0199"

MAIN_HEADER = [
    "start",
    "end",
    "hh/resp_name",
    "hh/phone",
    "hh/hh_size",
    "hh/displaced",
    "hh/needs",
    "hh/needs/food",
    "hh/needs/water",
    "hh/needs/shelter",
    "hh/gps",
    "_hh/gps_latitude",
    "_uuid",
    "_submission_time",
    "_index",
]
MAIN_ROWS: list[list[Any]] = [
    [
        "2024-05-01T09:00:00",
        "2024-05-01T09:30:00",
        NAME,
        PHONE,
        2,
        "yes",
        "food water",
        1,
        1,
        0,
        "36.19 44.01 0 5",
        36.19,
        "u-1",
        "2024-05-01T10:00:00",
        1,
    ],
    [
        "2024-05-01T10:00:00",
        "2024-05-01T10:20:00",
        "Karwan Aziz",
        "+964 750 111 2222",
        1,
        "no",
        "shelter",
        0,
        0,
        1,
        "",
        "",
        "u-2",
        "2024-05-01T11:00:00",
        2,
    ],
    [
        "2024-05-02T09:00:00",
        "2024-05-02T09:40:00",
        "Layla Hassan",
        "",
        3,
        "yes",
        "",
        0,
        0,
        0,
        "",
        "",
        "u-3",
        "2024-05-02T10:00:00",
        3,
    ],
]
MEMBER_HEADER = [
    "age",
    "wg_seeing",
    "_index",
    "_parent_table_name",
    "_parent_index",
    "_submission__uuid",
]
MEMBER_ROWS: list[list[Any]] = [
    [34, "no_difficulty", 1, "sample_hh", 1, "u-1"],
    [9, "lot_of_difficulty", 2, "sample_hh", 1, "u-1"],
    [71, "some_difficulty", 3, "sample_hh", 2, "u-2"],
    [40, "cannot_do", 4, "sample_hh", 3, "u-3"],
]


def write_form(
    path: Path,
    survey: list[dict[str, Any]] | None = None,
    choices: list[dict[str, Any]] | None = None,
) -> Path:
    return write_workbook(
        {"survey": survey or SURVEY, "choices": choices or CHOICES, "settings": SETTINGS}, path
    )


def write_kobo_xlsx(
    path: Path, main: list[list[Any]] | None = None, members: list[list[Any]] | None = None
) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Sample household"
    ws.append(MAIN_HEADER)
    for r in main if main is not None else MAIN_ROWS:
        ws.append(r)
    rep = wb.create_sheet("members")
    rep.append(MEMBER_HEADER)
    for r in members if members is not None else MEMBER_ROWS:
        rep.append(r)
    wb.save(path)
    return path
