"""The risk model format (docs/risk-model.md) as pydantic models, and loading by name or path."""

from __future__ import annotations

import hashlib
import json
import math
import re
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from safepath.errors import NotFound, Problem, ValidationFailed
from safepath.risk.codes import _known_codes, canonical
from safepath.risk.expressions import Condition, parse_condition

Level = Literal["individual", "household", "community", "structural"]
Component = Literal["threat", "vulnerability", "capacity"]
Aggregation = Literal["max", "mean", "weighted_mean", "top_half_mean"]
LEVELS: tuple[Level, ...] = ("individual", "household", "community", "structural")
COMPONENTS: tuple[Component, ...] = ("threat", "vulnerability", "capacity")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_score(value: Any) -> int | None:
    """A score is a whole number 1..5 (or null where the key allows it)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"value {value!r} is not a score 1..5")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"value {value!r} is not a whole number 1..5")
    if not 1 <= value <= 5:
        raise ValueError(f"value {canonical(value)} is outside 1..5")
    return int(value)


class Multiple(_Strict):
    values: dict[str, int]
    rule: Literal["max", "sum_capped"] = "max"
    none: list[str] = []
    # the score of a choice the model does not list (``else:`` in YAML); None: not scored
    else_: Annotated[int | None, Field(alias="else")] = None

    @field_validator("else_", mode="before")
    @classmethod
    def _else(cls, v: Any) -> Any:
        return _check_score(v)

    @field_validator("values", mode="before")
    @classmethod
    def _values(cls, v: Any) -> Any:
        if not isinstance(v, dict) or not v:
            raise ValueError("needs at least one choice: score")
        out: dict[str, int] = {}
        for key, score in v.items():
            choice = canonical(key)
            if not choice or any(c.isspace() for c in choice):
                raise ValueError(f"choice {choice!r} is empty or has spaces")
            checked = _check_score(score)
            if checked is None:
                raise ValueError(f"choice {choice!r} has no score")
            out[choice] = checked
        return out

    @field_validator("none", mode="before")
    @classmethod
    def _none(cls, v: Any) -> Any:
        return [canonical(c) for c in v] if isinstance(v, list) else v

    @model_validator(mode="after")
    def _disjoint(self) -> Multiple:
        both = sorted(set(self.none) & set(self.values))
        if both:
            raise ValueError(f"none choices {both} are also listed in values")
        return self


class Score(_Strict):
    map: dict[str, int | None] | None = None
    thresholds: list[tuple[float, int]] | None = None
    multiple: Multiple | None = None

    @field_validator("map", mode="before")
    @classmethod
    def _map(cls, v: Any) -> Any:
        if v is None:
            return v
        if not isinstance(v, dict) or not v:
            raise ValueError("needs at least one answer: score")
        out: dict[str, int | None] = {}
        for key, score in v.items():
            answer = canonical(key)
            if answer in out:
                raise ValueError(f"answer {answer!r} listed twice")
            out[answer] = _check_score(score)
        return out

    @field_validator("thresholds", mode="before")
    @classmethod
    def _thresholds(cls, v: Any) -> Any:
        if v is None:
            return v
        if not isinstance(v, list) or not v:
            raise ValueError("needs at least one [bound, score] pair")
        out: list[tuple[float, int]] = []
        for pair in v:
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise ValueError(f"{pair!r} is not a [bound, score] pair")
            bound, score = pair
            if isinstance(bound, bool) or not isinstance(bound, int | float) or math.isnan(bound):
                raise ValueError(f"bound {bound!r} is not a number")
            checked = _check_score(score)
            if checked is None:
                raise ValueError(f"bound {bound!r} has no score")
            if out and bound <= out[-1][0]:
                raise ValueError(
                    f"bounds must be ascending ({canonical(bound)} after {canonical(out[-1][0])})"
                )
            out.append((float(bound), checked))
        return out

    @model_validator(mode="after")
    def _exactly_one(self) -> Score:
        given = [k for k in ("map", "thresholds", "multiple") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"needs exactly one of map / thresholds / multiple, got {given or 'none'}"
            )
        return self


class Floor(_Strict):
    min_score: Annotated[int, Field(ge=1, le=5)]
    phase: int

    @field_validator("phase")
    @classmethod
    def _phase(cls, v: int) -> int:
        if not 1 <= v <= 5:
            raise ValueError(f"phase {v} is outside 1..5")
        return v


_ID = r"^[A-Za-z_][A-Za-z0-9_]*$"


def _group_path(name: str) -> str:
    """A field named with its group path (``consented/demographics/hh_size``): the XML name."""
    return name.rsplit("/", 1)[-1].strip() if "/" in name else name


class Aggregate(_Strict):
    """A household indicator computed from the rows of a repeat (a household roster): ``any``
    member matching (answer ``yes`` / ``no``) or the ``count`` of members matching. A member
    matches when one of ``fields`` has one of ``values`` (when given) and ``where`` holds."""

    table: Annotated[str, Field(min_length=1)]
    kind: Literal["any", "count"]
    fields: list[str] = []
    values: list[str] = []
    where: str | None = None

    @field_validator("fields", mode="before")
    @classmethod
    def _paths(cls, v: Any) -> Any:
        return [_group_path(str(f)) for f in v] if isinstance(v, list) else v

    @field_validator("values", mode="before")
    @classmethod
    def _values(cls, v: Any) -> Any:
        return [canonical(x) for x in v] if isinstance(v, list) else v

    @field_validator("where")
    @classmethod
    def _where(cls, v: str | None) -> str | None:
        if v is not None:
            parse_condition(v)
        return v

    @model_validator(mode="after")
    def _something(self) -> Aggregate:
        if bool(self.fields) != bool(self.values):
            raise ValueError("fields and values go together")
        if not self.fields and self.where is None:
            raise ValueError("needs fields and values, or where")
        return self

    @property
    def condition(self) -> Condition | None:
        return None if self.where is None else parse_condition(self.where)


class Indicator(_Strict):
    id: Annotated[str, Field(pattern=_ID)]
    label: str
    level: Level
    component: Component
    gpc_risks: list[str] = []
    rights: list[str] = []
    field: Annotated[str, Field(min_length=1)]
    source: Literal["record", "area"] = "record"
    applies_when: str | None = None
    score: Score
    weight: float = 1.0
    floor: Floor | None = None
    aggregate: Aggregate | None = None  # ``field`` is then computed from a repeat's rows

    @field_validator("field")
    @classmethod
    def _field_path(cls, v: str) -> str:
        return _group_path(v)

    @field_validator("gpc_risks", "rights")
    @classmethod
    def _codes(cls, v: list[str], info: Any) -> list[str]:
        known = _known_codes(info.field_name)
        for code in v:
            if code not in known:
                raise ValueError(f"unknown catalogue code {code!r}")
        return v

    @field_validator("weight")
    @classmethod
    def _weight(cls, v: float) -> float:
        if not (v > 0 and math.isfinite(v)):
            raise ValueError(f"{v} must be a number > 0")
        return v

    @field_validator("applies_when")
    @classmethod
    def _applies(cls, v: str | None) -> str | None:
        if v is not None:
            parse_condition(v)  # raises ValueError with the position
        return v

    @property
    def condition(self) -> Condition | None:
        return None if self.applies_when is None else parse_condition(self.applies_when)


class ComponentSpec(_Strict):
    aggregation: Aggregation
    default: float

    @field_validator("default")
    @classmethod
    def _default(cls, v: float) -> float:
        if not 1 <= v <= 5:
            raise ValueError(f"{v} is outside 1..5")
        return v


def _default_components() -> dict[Component, ComponentSpec]:
    return {
        "threat": ComponentSpec(aggregation="max", default=1),
        "vulnerability": ComponentSpec(aggregation="mean", default=1),
        "capacity": ComponentSpec(aggregation="mean", default=3),
    }


class Severity(_Strict):
    cuts: list[float] = [1.0, 2.0, 3.5, 6.0]

    @field_validator("cuts")
    @classmethod
    def _cuts(cls, v: list[float]) -> list[float]:
        if len(v) != 4:
            raise ValueError(f"needs 4 values, got {len(v)}")
        if any(b <= a for a, b in zip(v, v[1:], strict=False)):
            raise ValueError(f"values must be ascending, got {v}")
        return v


class CaseLevels(_Strict):
    phases: dict[int, str] = {1: "none", 2: "low", 3: "medium", 4: "high", 5: "high"}
    deadlines_hours: dict[str, float] = {"high": 24, "medium": 72, "low": 168}

    @model_validator(mode="after")
    def _complete(self) -> CaseLevels:
        known = _known_codes("case_risk_levels")
        if sorted(self.phases) != [1, 2, 3, 4, 5]:
            raise ValueError(f"phases: needs phases 1..5, got {sorted(self.phases)}")
        for level in [*self.phases.values(), *self.deadlines_hours]:
            if level not in known:
                raise ValueError(f"unknown case_risk_levels code {level!r}")
        return self


class AreaRule(_Strict):
    threshold: Annotated[float, Field(gt=0, le=1)] = 0.25
    pin_phase: Annotated[int, Field(ge=1, le=5)] = 3


class Dimension(_Strict):
    field: str | None = None
    fields: list[str] | None = None
    map: dict[str, str] | None = None
    a_lot: list[str] | None = None

    @field_validator("map", mode="before")
    @classmethod
    def _map(cls, v: Any) -> Any:
        return {canonical(k): val for k, val in v.items()} if isinstance(v, dict) else v


class RiskModel(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    version: str
    title: str
    description: str = ""
    form: str | None = None
    place_field: str | None = None
    weight_field: str | None = None
    places: dict[str, str] = {}
    dimensions: dict[str, Dimension] = {}
    components: dict[Component, ComponentSpec] = Field(default_factory=_default_components)
    severity: Severity = Severity()
    case_levels: CaseLevels = CaseLevels()
    area: AreaRule = AreaRule()
    indicators: Annotated[list[Indicator], Field(min_length=1)]
    _compiled: Any = PrivateAttr(default=None)  # record.CompiledModel, built on first use
    _fingerprint: Any = PrivateAttr(default=None)  # (model, hash)

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, v: Any) -> Any:
        return canonical(v) if isinstance(v, int | float) else v

    @field_validator("components")
    @classmethod
    def _all_components(cls, v: dict[Component, ComponentSpec]) -> dict[Component, ComponentSpec]:
        missing = [c for c in COMPONENTS if c not in v]
        if missing:
            raise ValueError(f"missing {missing}")
        return v

    @field_validator("dimensions")
    @classmethod
    def _dimensions(cls, v: dict[str, Dimension]) -> dict[str, Dimension]:
        for name, dim in v.items():
            if name not in ("sex", "age_bracket", "disability", "population_group"):
                raise ValueError(f"unknown dimension {name!r}")
            if name == "disability":
                if not dim.fields or not dim.a_lot:
                    raise ValueError("disability: needs fields and a_lot")
            elif not dim.field:
                raise ValueError(f"{name}: needs field")
            lists = {"sex": "sex_gender", "population_group": "population_groups"}
            if name in lists and dim.map:
                for code in dim.map.values():
                    if code not in _known_codes(lists[name]):
                        raise ValueError(f"{name}.map: unknown code {code!r}")
        return v

    @model_validator(mode="after")
    def _unique_ids(self) -> RiskModel:
        seen: set[str] = set()
        for ind in self.indicators:
            if ind.id in seen:
                raise ValueError(f"indicator {ind.id!r}: duplicate indicator id")
            seen.add(ind.id)
        if any(i.source == "area" for i in self.indicators) and not self.place_field:
            raise ValueError("place_field: needed by indicators with source: area")
        return self

    def fingerprint(self) -> str:
        """A short hash of the whole validated model (keys caches across edits of one version)."""
        return self.digest()[:16]

    def digest(self) -> str:
        """The SHA-256 of the whole validated model (keys the on-disk compiled-SQL cache)."""
        cached = self._fingerprint
        if cached is None or cached[0] is not self:  # model_copy() copies private attributes
            blob = json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()
            cached = self._fingerprint = (self, hashlib.sha256(blob).hexdigest())
        return str(cached[1])

    def record_fields(self) -> list[str]:
        """Record columns the model reads (indicator fields, applies_when, place, weight)."""
        names: list[str] = []
        for ind in self.indicators:
            if ind.source == "record":
                names.append(ind.field)
            if ind.condition is not None:
                names.extend(n for src, n in ind.condition.fields() if src == "record")
        names.extend(n for n in (self.place_field, self.weight_field) if n)
        return list(dict.fromkeys(names))

    def area_fields(self) -> list[str]:
        """Area-profile columns the model reads."""
        names: list[str] = []
        for ind in self.indicators:
            if ind.source == "area":
                names.append(ind.field)
            if ind.condition is not None:
                names.extend(n for src, n in ind.condition.fields() if src == "area")
        return list(dict.fromkeys(names))


# --- loading ---------------------------------------------------------------------------------


# libyaml's parser when present (about 8x faster on a 40-indicator model); same resolvers.
_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc]
    """YAML 1.2 booleans: only true/false, so answers like ``yes``/``no``/``on`` stay strings."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _where(model: Any, loc: tuple[int | str, ...]) -> str:
    """``indicator 'hh_x': score.map`` from a pydantic error location."""
    if len(loc) >= 2 and loc[0] == "indicators" and isinstance(loc[1], int):
        try:
            ind_id = model["indicators"][loc[1]]["id"]
        except (KeyError, IndexError, TypeError):
            ind_id = f"#{loc[1] + 1}"
        rest = ".".join(str(p) for p in loc[2:] if not str(p).startswith("function-"))
        return f"indicator {ind_id!r}" + (f": {rest}" if rest else "")
    return ".".join(str(p) for p in loc)


def validate_model(data: Any, *, scope: str = "risk model") -> RiskModel:
    """Validate a parsed YAML document; raise ValidationFailed with one Problem per error."""
    if not isinstance(data, dict):
        raise ValidationFailed(
            f"{scope}: not a mapping", problems=[Problem("not a mapping", scope=scope)]
        )
    try:
        return RiskModel.model_validate(data)
    except ValidationError as exc:
        problems: list[Problem] = []
        for err in exc.errors():
            msg = str(err["msg"]).removeprefix("Value error, ")
            where = _where(data, tuple(err["loc"]))
            value = err.get("input")
            problems.append(
                Problem(
                    f"{where}: {msg}" if where else msg,
                    scope=scope,
                    value=value if isinstance(value, str | int | float) else None,
                )
            )
        first = problems[0].message
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ValidationFailed(f"{scope} is invalid: {first}{more}", problems=problems) from None


def load_model_text(text: str, *, scope: str = "risk model") -> RiskModel:
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ValidationFailed(
            f"{scope}: not valid YAML: {exc}", problems=[Problem(f"not valid YAML: {exc}", scope)]
        ) from None
    return validate_model(data, scope=scope)


def _models_dir() -> Any:
    # "models" as a directory of the risk package: works whether or not it has an __init__.py
    return resources.files("safepath.risk").joinpath("models")


def load_model(name_or_path: str | Path) -> RiskModel:
    """A shipped model by name (``safepath-domv-v1``), or a YAML file by path."""
    text_name = str(name_or_path)
    if isinstance(name_or_path, str) and re.fullmatch(r"[a-z0-9-]+", name_or_path):
        res = _models_dir().joinpath(f"{name_or_path}.yaml")
        if res.is_file():
            return load_model_text(res.read_text(encoding="utf-8"), scope=name_or_path)
    path = Path(name_or_path)
    if not path.is_file():
        known = ", ".join(list_models()) or "none"
        raise NotFound(
            f"risk model {text_name!r}: no such shipped model or file (shipped: {known})"
        )
    return load_model_text(path.read_text(encoding="utf-8"), scope=str(path))


def list_models() -> list[str]:
    """Names of the models shipped in ``safepath/risk/models`` (not the severity rule files
    beside them, ``*.severity.yaml`` and ``area-severity.yaml``: risk.severity)."""
    root = _models_dir()
    if not root.is_dir():
        return []
    return sorted(
        p.name[:-5]
        for p in root.iterdir()
        if p.name.endswith(".yaml")
        and not p.name.endswith(".severity.yaml")
        and p.name != "area-severity.yaml"
    )
