"""The screening questionnaire as a page: a blank form, the same form with the person's answers
and the problems next to each question, and on success the case's new assessment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from safepath.cases import access, assessments, prefill, registry
from safepath.cases.instruments import instrument
from safepath.errors import InputError
from safepath.surveys.xlsform import FormDefinition
from safepath.web import assessment_form as af
from safepath.web.context import Page, PageDep, see_other
from safepath.web.forms import first, read_form, version
from safepath.web.i18n import translate

router = APIRouter(include_in_schema=False)

# Problems from answer validation, in the words a caseworker understands (extracted for gettext).
MESSAGES = {
    "required answer is missing": "This answer is required.",
    "not an integer": "Enter a whole number.",
    "not a number": "Enter a number.",
    "not a date (YYYY-MM-DD)": "Enter a date.",
}


def form() -> FormDefinition:
    return instrument().form


def _localise(f: FormDefinition, errors: dict[str, str], lang: str) -> dict[str, str]:
    out = {}
    for name, message in errors.items():
        field = f.fields[name.rsplit(".", 1)[-1]]
        if message in MESSAGES:
            out[name] = translate(MESSAGES[message], lang)
        elif message.startswith("not a choice") or " not choice(s) " in message:
            out[name] = translate("Choose one of the options.", lang)
        elif field.constraint_message:
            out[name] = af.label(field.constraint_message, lang)
        else:
            out[name] = translate("This answer is not valid.", lang)
    return out


def show(
    page: Page,
    action: str,
    title: str,
    answers: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    counts: dict[str, int] | None = None,
    status: int = 200,
    **context: Any,
) -> Response:
    lang = page.lang
    f = form()
    answers = answers or {}
    counts = dict(counts or {})
    for g in f.repeats:
        counts.setdefault(g.name, len(answers.get(g.name) or []))
    tree = af.build(f, lang, answers, _localise(f, errors or {}, lang), counts)
    return page.render(
        "assess.html",
        status=status,
        form=tree,
        form_id=f.id,
        form_version=f.version,
        action=action,
        title=title,
        error_count=len(errors or {}),
        **context,
    )


async def submitted(
    page: Page,
) -> tuple[dict[str, Any], dict[str, int], str | None, dict[str, list[str]]]:
    post = await read_form(page.request)
    page.check_csrf(first(post, "csrf_token"))
    f = form()
    answers, counts = af.read_answers(f, post)
    action = (post.get("action") or [""])[0]
    if action.startswith(("add:", "remove:")):
        verb, _, name = action.partition(":")
        if name in counts:
            counts[name] = max(0, min(af.MAX_REPEAT, counts[name] + (1 if verb == "add" else -1)))
        return answers, counts, "repeat", post
    return af.drop_irrelevant(f, answers), counts, None, post


@router.get("/forms/screening")
def try_form(page: PageDep) -> Response:
    return show(page, "/forms/screening", form().title)


@router.post("/forms/screening")
async def try_form_check(page: PageDep) -> Response:
    """Fill the questionnaire without saving it: training, and checking a paper form."""
    answers, counts, repeat, _ = await submitted(page)
    if repeat:
        return show(page, "/forms/screening", form().title, answers, counts=counts)
    errors = af.errors_by_field(form(), af.check(form(), answers))
    return show(
        page,
        "/forms/screening",
        form().title,
        answers,
        errors,
        counts,
        status=422 if errors else 200,
        checked=not errors,
    )


@router.get("/cases/{code}/assess")
def assess_page(page: PageDep, code: str) -> Response:
    # only the roles that assess reach the form (a partner focal point gets 403, not the case)
    access.require(page.actor, registry.roles_for("assess"))
    case = registry.get_case(page.db, page.actor, code)
    answers = prefill.screening_answers(page.db, page.actor, case)  # from the registration
    return show(page, f"/cases/{code}/assess", case.code, answers, case=case)


@dataclass(frozen=True)
class _CaseRef:
    """What the form shows of the case: plain values, still there after a refused write."""

    code: str
    version: int


@router.post("/cases/{code}/assess")
async def assess(page: PageDep, code: str) -> Response:
    access.require(page.actor, registry.roles_for("assess"))
    loaded = registry.get_case(page.db, page.actor, code)  # the one load of the case
    case = _CaseRef(loaded.code, loaded.version)
    answers, counts, repeat, post = await submitted(page)
    action = f"/cases/{case.code}/assess"
    if repeat:
        return show(page, action, case.code, answers, counts=counts, case=case)
    # the service validates the answers (once) along with role, version and lifecycle
    _, refused = page.attempt(
        lambda: assessments.assess_case(page.db, page.actor, loaded, answers, version(post))
    )
    if refused is None:
        return see_other(f"/cases/{case.code}?done=assessed#risk")
    if isinstance(refused, InputError):
        errors = af.errors_by_field(form(), refused.problems)
        return show(page, action, case.code, answers, errors, counts, status=422, case=case)
    return show(
        page,
        action,
        case.code,
        answers,
        {},
        counts,
        status=refused.status,
        case=case,
        refused=refused.message,
    )
