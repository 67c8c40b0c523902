"""People in need, in people: the estimated share at phase >= p times the group's population.

The share is a design-based estimate (``estimates``) over the scored records (``phase`` from
``safepath.risk.score_table``), with its Wald interval. When records are households and the
population counts people, ``household_size`` makes the share a share of people: a ratio
``sum(w * size * in_need) / sum(w * size)`` (R: ``svyratio(~I(in_need * size), ~size)``), the
same as a mean under the weights ``w * size``. ``pin = share * population`` and its interval is
the share's interval, clipped to [0, 1], times the population. A group the population table does
not list has no PiN (``population`` null), never a zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import ibis

from safepath.analysis import design as d
from safepath.analysis.design import Design
from safepath.analysis.estimates import estimate, flag, present
from safepath.analysis.population import Population
from safepath.errors import InputError

IN_NEED = "_sp_in_need"
PEOPLE = "_sp_people"


@dataclass(frozen=True)
class PinRow:
    by: tuple[str, ...]
    group: tuple[str, ...]
    phase: int
    share: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    small_n: bool
    no_population: bool
    population: float | None
    pin: float | None
    pin_low: float | None
    pin_high: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "by": list(self.by),
            "group": list(self.group),
            "phase": self.phase,
            "share": self.share,
            "se": self.se,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "n": self.n,
            "small_n": self.small_n,
            "no_population": self.no_population,
            "population": self.population,
            "pin": self.pin,
            "pin_low": self.pin_low,
            "pin_high": self.pin_high,
        }


def _people(share: float | None, pop: float | None) -> float | None:
    return None if share is None or pop is None else share * pop


def _clip(x: float) -> float:
    return min(1.0, max(0.0, x))


def people_in_need(
    scored: Any,
    design: Design,
    population: Population,
    *,
    phase: int = 3,
    by: Sequence[str] = (),
    household_size: str | None = None,
    level: float = 0.95,
    small_n: int = 30,
    checked: bool = False,
) -> list[PinRow]:
    """PiN overall and per group of ``by`` (columns whose values key ``population``).
    ``checked``: as for ``estimate``."""
    if "phase" not in scored.columns:
        raise InputError("the scored table has no 'phase' column: score it first")
    if len(by) != len(population.keys):
        raise InputError(
            f"the population is given per {', '.join(population.keys) or 'nothing'}; "
            f"group by as many columns (got {', '.join(by) or 'none'})"
        )
    if not checked:
        d.check(scored, design)
    in_need = scored.phase.cast("int64") >= phase
    t = scored.mutate(
        **{IN_NEED: ibis.ifelse(in_need.isnull(), ibis.null("float64"), flag(in_need))}
    )
    if household_size is not None:
        t, design = _people_weights(t, design, household_size)
    rows = []
    # checked above; the household-size weights are checked numbers times checked weights
    estimates = estimate(
        t, IN_NEED, design, by=by, kind="mean", level=level, small_n=small_n, checked=True
    )
    for e in estimates:
        pop = population.lookup(e.group)
        share = e.estimate
        lo = share if e.ci_low is None or share is None else _clip(e.ci_low)
        hi = share if e.ci_high is None or share is None else _clip(e.ci_high)
        rows.append(
            PinRow(
                by=e.by,
                group=e.group,
                phase=phase,
                share=share,
                se=e.se,
                ci_low=e.ci_low,
                ci_high=e.ci_high,
                n=e.n,
                small_n=e.small_n,
                no_population=e.no_population,
                population=pop,
                pin=_people(share, pop),
                pin_low=_people(lo, pop),
                pin_high=_people(hi, pop),
            )
        )
    return rows


def _people_weights(t: Any, design: Design, size: str) -> tuple[Any, Design]:
    """Weights times household size (checked: a number > 0 on every record)."""
    if size not in t.columns:
        raise InputError(f"{design.source} has no household-size column {size!r}")
    col = t[size]
    num = d.number(col)
    why = ibis.cases(
        (~present(col), "missing household size"),
        (num.isnull() | num.isnan(), "household size is not a number"),
        (num <= 0, "household size must be above 0"),
        else_=ibis.null("string"),
    )
    bad = why.notnull()
    n_bad = int(t.filter(bad).count().execute())
    if n_bad:
        raise InputError(
            f"{design.source}: {n_bad} unusable household size(s) in {size!r}",
            problems=d.problems_at(t, bad, size, design, why),
        )
    weight = d.number(t[design.weight]) if design.weight else ibis.literal(1.0, "float64")
    t = t.mutate(**{PEOPLE: weight * num})
    return t, replace(design, weight=PEOPLE)
