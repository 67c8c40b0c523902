"""The instrument registry: which form a caseworker fills in and which risk model scores it.

Data, not constants (``cases/instruments.yaml``). Loading checks that the model is bound to
the same form (its ``form:`` key), so a mismatched pair fails at start, not on the first save.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib.resources import files
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from safepath.errors import ConfigurationError, InputError, NotFound, Problem
from safepath.risk import Assessment as RiskAssessment
from safepath.risk import RiskModel, evaluate, load_model
from safepath.risk.area_profile import AreaProfile, shipped_area_profile
from safepath.settings import get_settings
from safepath.surveys.forms import form_path
from safepath.surveys.xlsform import FormDefinition, load_form, validate_answers


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    title: str
    form: str
    model: str


class _Registry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    default: str
    instruments: tuple[_Entry, ...]


@dataclass(frozen=True)
class Instrument:
    id: str
    title: str
    form_id: str
    model_id: str

    @cached_property
    def model(self) -> RiskModel:
        return load_model(self.model_id)

    @cached_property
    def form(self) -> FormDefinition:
        return load_form(form_path(self.form_id))

    @cached_property
    def area_profile(self) -> AreaProfile | None:
        return shipped_area_profile(self.model_id)

    def check(self) -> None:
        if self.model.form and self.model.form != self.form_id:
            raise ConfigurationError(
                f"instrument {self.id!r}: model {self.model_id!r} is bound to form "
                f"{self.model.form!r}, not {self.form_id!r}"
            )

    def check_answers(self, answers: Mapping[str, Any]) -> None:
        problems: list[Problem] = validate_answers(self.form, answers)
        if problems:
            raise InputError(
                f"the answers do not fit form {self.form_id!r}: {len(problems)} problem(s); "
                f"first: {problems[0]}",
                problems=problems,
            )

    def score(
        self,
        answers: Mapping[str, Any],
        pcode: str | None,
        area: Mapping[str, Any] | None = None,
    ) -> RiskAssessment:
        """``area``: the operation's profile row for ``pcode`` (``places.area_profiles``); without
        one, the sample profile shipped with the model is looked up."""
        if area is None and self.area_profile is not None:
            area = self.area_profile.lookup(pcode)
        return evaluate(self.model, answers, area)

    def deadline_hours(self, case_level: str) -> float | None:
        value = self.model.case_levels.deadlines_hours.get(case_level)
        return float(value) if value is not None else None


@lru_cache(maxsize=1)
def _registry() -> tuple[str, dict[str, Instrument]]:
    text = (files("safepath.cases") / "instruments.yaml").read_text(encoding="utf-8")
    reg = _Registry.model_validate(yaml.safe_load(text))
    items = {e.id: Instrument(e.id, e.title, e.form, e.model) for e in reg.instruments}
    if reg.default not in items:
        raise ConfigurationError(f"instruments.yaml: default {reg.default!r} is not listed")
    return reg.default, items


def instrument(instrument_id: str | None = None) -> Instrument:
    """The named instrument, or the operation's default (``SAFEPATH_CASE_INSTRUMENT``)."""
    default, items = _registry()
    name = instrument_id or get_settings().case_instrument or default
    if name not in items:
        raise NotFound(f"instrument {name!r} is not in the registry (known: {', '.join(items)})")
    found = items[name]
    found.check()
    return found
