"""Projects, self-assessments, progress, the roll-up by principle and stage, and the report by
roadmap pillar.

Scores are 0 (not met) to 3 (fully met). An assessment's score is the mean of its 20 cells as a
percentage of the maximum. The roll-up takes each project's latest assessment and gives, per
principle, per stage and per principle × stage, the mean over projects of the cell means, as a
percentage of the maximum (one decimal). Progress compares two assessments of a project cell by
cell (later minus earlier, in score points).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from safepath.cases.codes import new_code
from safepath.cases.registry import check_version, flush
from safepath.errors import NotFound, ValidationFailed
from safepath.framework import catalogue
from safepath.mainstreaming import access
from safepath.mainstreaming.schemas import MAX_SCORE, AssessmentIn, ProjectEdit, ProjectIn
from safepath.privacy import audit
from safepath.privacy.actor import Actor
from safepath.store.models.mainstreaming import (
    MainstreamingAction,
    MainstreamingAssessment,
    MainstreamingScore,
    Project,
    ProjectIntervention,
)


def _pct(mean: float) -> float:
    return round(100.0 * mean / MAX_SCORE, 1)


def create_project(session: Session, actor: Actor, data: ProjectIn) -> Project:
    access.require(actor, access.WRITE)
    project = Project(
        code=new_code("PJ"),
        organisation_id=actor.agency_id,
        name=data.name,
        programming_type=data.programming_type,
        pillars=data.pillars,
        interventions=[
            ProjectIntervention(
                name=i.name,
                programming_type=i.programming_type,
                pillars=i.pillars,
                thematic_area=i.thematic_area,
            )
            for i in data.interventions
        ],
    )
    session.add(project)
    session.flush()
    audit.record(session, actor, "create", "project", project.code)
    return project


def _projects(session: Session, actor: Actor) -> Any:
    return (
        select(Project)
        .where(Project.organisation_id == actor.agency_id)
        .options(
            selectinload(Project.interventions),
            selectinload(Project.assessments).selectinload(MainstreamingAssessment.scores),
            selectinload(Project.assessments).selectinload(MainstreamingAssessment.actions),
        )
        .order_by(Project.name, Project.id)
    )


def list_projects(session: Session, actor: Actor) -> list[Project]:
    access.require(actor, access.READ)
    return list(session.scalars(_projects(session, actor)))


def get_project(session: Session, actor: Actor, code: str) -> Project:
    access.require(actor, access.READ)
    found = session.scalar(_projects(session, actor).where(Project.code == code))
    if found is None:
        raise NotFound(f"project {code!r} not found")
    return found  # type: ignore[no-any-return]


def update_project(
    session: Session, actor: Actor, code: str, data: ProjectEdit, expected: int | None
) -> Project:
    """Change a project's name, programming type or pillars, based on the version read (428
    without, 412 when stale)."""
    access.require(actor, access.WRITE)
    project = get_project(session, actor, code)
    check_version(project, expected)
    changes = data.model_dump(exclude_unset=True)
    changed = [k for k, v in changes.items() if getattr(project, k) != v]
    if not changed:
        return project  # nothing differs: no new version
    for name in changed:
        setattr(project, name, changes[name])
    flush(session)
    audit.record(session, actor, "update", "project", project.code, fields=changed)
    return project


def add_assessment(
    session: Session, actor: Actor, code: str, data: AssessmentIn
) -> MainstreamingAssessment:
    access.require(actor, access.WRITE)
    project = get_project(session, actor, code)
    if any(a.assessed_on == data.assessed_on for a in project.assessments):
        raise ValidationFailed(f"assessed_on: project {code} already has an assessment that day")
    assessment = MainstreamingAssessment(
        code=new_code("MA"),
        assessed_on=data.assessed_on,
        assessed_by_user_id=actor.user_id,
        scores=[
            MainstreamingScore(
                principle=s.principle, stage=s.stage, score=s.score, evidence=s.evidence
            )
            for s in data.scores
        ],
        actions=[
            MainstreamingAction(
                principle=a.principle,
                stage=a.stage,
                action=a.action,
                owner=a.owner,
                due_on=a.due_on,
            )
            for a in data.actions
        ],
    )
    project.assessments.append(assessment)
    session.flush()
    audit.record(session, actor, "create", "mainstreaming_assessment", assessment.code)
    return assessment


# --- views ------------------------------------------------------------------------------------
Cells = dict[tuple[str, str], int]


def cells(assessment: MainstreamingAssessment) -> Cells:
    return {(s.principle, s.stage): s.score for s in assessment.scores}


def score(assessment: MainstreamingAssessment) -> float:
    values = list(cells(assessment).values())
    return _pct(sum(values) / len(values)) if values else 0.0


def latest(project: Project) -> MainstreamingAssessment | None:
    return max(project.assessments, key=lambda a: (a.assessed_on, a.id), default=None)


@dataclass(frozen=True)
class Progress:
    earlier: str
    later: str
    score_change: float  # percentage points
    by_principle: dict[str, float]  # mean change in score points
    by_stage: dict[str, float]
    cells: dict[str, int]  # "principle/stage" -> change


def progress(project: Project, earlier: str | None = None, later: str | None = None) -> Progress:
    """Between two assessments (codes; default: the last two)."""
    ordered = sorted(project.assessments, key=lambda a: (a.assessed_on, a.id))
    by_code = {a.code: a for a in ordered}
    if earlier or later:
        if earlier not in by_code or later not in by_code:
            raise NotFound("assessment not found in this project")
        first, second = by_code[str(earlier)], by_code[str(later)]
    elif len(ordered) >= 2:
        first, second = ordered[-2], ordered[-1]
    else:
        raise ValidationFailed(f"project {project.code} needs two assessments to show progress")
    a, b = cells(first), cells(second)
    change = {key: b[key] - a[key] for key in a if key in b}
    principles = defaultdict(list)
    stages = defaultdict(list)
    for (p, s), d in change.items():
        principles[p].append(d)
        stages[s].append(d)
    return Progress(
        earlier=first.code,
        later=second.code,
        score_change=round(score(second) - score(first), 1),
        by_principle={p: round(sum(v) / len(v), 2) for p, v in principles.items()},
        by_stage={s: round(sum(v) / len(v), 2) for s, v in stages.items()},
        cells={f"{p}/{s}": d for (p, s), d in sorted(change.items())},
    )


@dataclass(frozen=True)
class Rollup:
    projects: int  # projects with at least one assessment
    by_principle: dict[str, float]  # per cent of the maximum score
    by_stage: dict[str, float]
    matrix: dict[str, dict[str, float]]  # principle -> stage -> per cent

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def rollup(session: Session, actor: Actor) -> Rollup:
    """Each project's latest assessment, averaged across projects by principle and stage."""
    cat = catalogue()
    principles = cat.codes("mainstreaming_principles")
    stages = cat.codes("project_cycle_stages")
    latest_cells = [cells(a) for p in list_projects(session, actor) if (a := latest(p))]
    n = len(latest_cells)

    def mean(keys: list[tuple[str, str]]) -> float:
        per_project = [sum(c[k] for k in keys) / len(keys) for c in latest_cells]
        return _pct(sum(per_project) / n) if n else 0.0

    return Rollup(
        projects=n,
        by_principle={p: mean([(p, s) for s in stages]) for p in principles},
        by_stage={s: mean([(p, s) for p in principles]) for s in stages},
        matrix={p: {s: mean([(p, s)]) for s in stages} for p in principles},
    )


def pillar_report(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Per roadmap pillar: the projects and interventions tagged with it, by programming type
    (a project or intervention with two pillars counts under both)."""
    cat = catalogue()
    types = cat.codes("programming_types")
    counts: dict[str, dict[str, int]] = {
        pillar: {
            "projects": 0,
            "interventions": 0,
            **{f"projects_{t}": 0 for t in types},
            **{f"interventions_{t}": 0 for t in types},
        }
        for pillar in cat.codes("roadmap_pillars")
    }
    for project in list_projects(session, actor):
        for pillar in project.pillars:
            counts[pillar]["projects"] += 1
            counts[pillar][f"projects_{project.programming_type}"] += 1
        for i in project.interventions:
            for pillar in i.pillars:
                counts[pillar]["interventions"] += 1
                counts[pillar][f"interventions_{i.programming_type}"] += 1
    return [{"pillar": pillar, **n} for pillar, n in counts.items()]


def project_view(project: Project) -> dict[str, Any]:
    ordered = sorted(project.assessments, key=lambda a: (a.assessed_on, a.id))
    return {
        "code": project.code,
        "name": project.name,
        "programming_type": project.programming_type,
        "pillars": list(project.pillars),
        "version": project.version,
        "interventions": [
            {
                "name": i.name,
                "programming_type": i.programming_type,
                "pillars": list(i.pillars),
                "thematic_area": i.thematic_area,
            }
            for i in project.interventions
        ],
        "assessments": [
            {
                "code": a.code,
                "assessed_on": a.assessed_on.isoformat(),
                "score": score(a),
                "scores": [
                    {
                        "principle": s.principle,
                        "stage": s.stage,
                        "score": s.score,
                        "evidence": s.evidence,
                    }
                    for s in sorted(a.scores, key=lambda s: (s.principle, s.stage))
                ],
                "actions": [
                    {
                        "principle": x.principle,
                        "stage": x.stage,
                        "action": x.action,
                        "owner": x.owner,
                        "due_on": x.due_on.isoformat(),
                        "status": x.status,
                        "overdue": x.status == "open" and x.due_on < date.today(),
                    }
                    for x in a.actions
                ],
            }
            for a in ordered
        ],
        "progress": asdict(progress(project)) if len(ordered) >= 2 else None,
    }
