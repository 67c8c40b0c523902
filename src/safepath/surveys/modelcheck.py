"""A risk model bound to a form (``form:``) checked against the form: fields the form does not
have, and choices of a field's list the model does not score (their answers would count as
unanswered)."""

from __future__ import annotations

from collections.abc import Iterable

from safepath.errors import Problem
from safepath.risk.spec import RiskModel
from safepath.surveys.xlsform import FormDefinition


def check_model(
    model: RiskModel, form: FormDefinition, *, extra_columns: Iterable[str] = ()
) -> list[Problem]:
    """Problems of ``model`` against ``form`` (``extra_columns``: columns the round has beyond
    the form's fields, such as a sampling weight)."""
    known = set(form.fields) | set(extra_columns)
    derived = {i.field for i in model.indicators if i.aggregate is not None}
    problems: list[Problem] = []
    for name in model.record_fields():
        if name not in known and name not in derived:
            problems.append(Problem("not a field of the form", scope=model.id, column=name))
    for ind in model.indicators:
        if ind.aggregate is not None:
            agg = ind.aggregate
            if agg.table not in {g.name for g in form.repeats}:
                problems.append(Problem(f"{agg.table!r} is not a repeat of the form", scope=ind.id))
            for name in agg.fields:
                if name not in form.fields:
                    problems.append(Problem("not a field of the form", scope=ind.id, column=name))
            continue
        field = form.fields.get(ind.field)
        if ind.source != "record" or field is None or not field.choices:
            continue
        choices = [c.name for c in field.choices]
        if ind.score.map is not None:
            missing = [c for c in choices if c not in ind.score.map]
        elif ind.score.multiple is not None and ind.score.multiple.else_ is None:
            m = ind.score.multiple
            missing = [c for c in choices if c not in m.values and c not in m.none]
        else:
            continue
        if missing:
            problems.append(
                Problem(
                    f"choices of {field.list_name!r} the model does not score: "
                    + ", ".join(missing),
                    scope=ind.id,
                    column=ind.field,
                )
            )
    return problems
