"""Acknowledgement and response deadlines per complaint category (``deadlines.yaml``, packaged)."""

from __future__ import annotations

import functools
from importlib.resources import files

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from safepath.errors import ConfigurationError, Problem
from safepath.framework import catalogue

FILE = "deadlines.yaml"


class Deadline(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    acknowledge_days: int = Field(ge=0, le=365)
    respond_days: int = Field(ge=0, le=365)


class Deadlines(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    default: Deadline
    categories: dict[str, Deadline] = Field(default_factory=dict)

    def for_category(self, category: str) -> Deadline:
        return self.categories.get(category, self.default)


def parse(text: str, source: str = FILE) -> Deadlines:
    """Validate a deadlines file; every problem names the file and the key."""
    try:
        raw = yaml.safe_load(text)
        loaded = Deadlines.model_validate(raw)
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{source}: not readable YAML: {exc}") from None
    except ValidationError as exc:
        problems = [
            Problem(e["msg"], scope=source, column=".".join(str(p) for p in e["loc"]))
            for e in exc.errors()
        ]
        raise ConfigurationError(
            f"{source}: invalid deadlines; first: {problems[0]}", problems=problems
        ) from None
    unknown = [c for c in loaded.categories if not catalogue().has("complaint_categories", c)]
    if unknown:
        raise ConfigurationError(
            f"{source}: categories {', '.join(unknown)} are not complaint_categories codes",
            problems=[Problem("unknown category", scope=source, column=c) for c in unknown],
        )
    for category in loaded.categories.values():
        if category.respond_days < category.acknowledge_days:
            raise ConfigurationError(f"{source}: respond_days is before acknowledge_days")
    return loaded


@functools.cache
def deadlines() -> Deadlines:
    return parse((files("safepath.feedback") / FILE).read_text(encoding="utf-8"))
