"""The operation's disclosure policy per kind of export: which key variables, weights and age
columns a kind of dataset carries, and its thresholds (``export_kinds.yaml``, or the operation's
own file named by ``SAFEPATH_DISCLOSURE_POLICY_FILE``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from safepath.errors import ConfigurationError, InputError, Problem
from safepath.privacy.disclosure.policy import DisclosurePolicy
from safepath.settings import get_settings


class ExportKind(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    keys: tuple[str, ...] = Field(min_length=1)
    weights: tuple[str, ...] = ()
    ages: tuple[str, ...] = ()
    k: int | None = Field(default=None, ge=1)
    max_global_risk: float | None = Field(default=None, gt=0, le=1)
    max_individual_risk: float | None = Field(default=None, gt=0, le=1)

    def policy(self) -> DisclosurePolicy:
        base = DisclosurePolicy.from_settings()
        return replace(
            base,
            k=self.k or base.k,
            max_global_risk=self.max_global_risk or base.max_global_risk,
            max_individual_risk=self.max_individual_risk or base.max_individual_risk,
        )

    def keys_in(self, columns: Sequence[str], extra: Sequence[str] = ()) -> list[str]:
        """The kind's keys the table has, then any extra keys the exporter names (which can only
        add to the policy's, never remove one)."""
        have = set(columns)
        missing = [k for k in extra if k not in have]
        if missing:
            raise InputError(
                f"the data have no column {', '.join(map(repr, missing))} to use as a key",
                problems=[Problem("unknown key variable", column=k) for k in missing],
            )
        return list(dict.fromkeys([*(k for k in self.keys if k in have), *extra]))

    def weight_in(self, columns: Sequence[str]) -> str | None:
        return next((w for w in self.weights if w in set(columns)), None)

    def ages_in(self, columns: Sequence[str], keys: Sequence[str]) -> list[str]:
        return [a for a in self.ages if a in set(columns) and a in keys]


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kinds: dict[str, ExportKind] = Field(min_length=1)


@lru_cache(maxsize=4)
def _load(path: str | None) -> dict[str, ExportKind]:
    where = path or "export_kinds.yaml (shipped)"
    try:
        text = (
            Path(path).read_text(encoding="utf-8")
            if path
            else (files("safepath.privacy.disclosure") / "export_kinds.yaml").read_text("utf-8")
        )
        return _File.model_validate(yaml.safe_load(text)).kinds
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ConfigurationError(f"disclosure policy file {where}: {exc}") from exc


def export_kinds() -> dict[str, ExportKind]:
    path = get_settings().disclosure_policy_file
    return _load(str(path) if path else None)


def export_kind(name: str) -> ExportKind:
    kinds = export_kinds()
    if name not in kinds:
        raise ConfigurationError(
            f"the disclosure policy has no dataset kind {name!r} (kinds: {', '.join(kinds)})"
        )
    return kinds[name]
