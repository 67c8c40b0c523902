"""The XPath subset used for relevance and constraints follows XPath comparison rules."""

from __future__ import annotations

import pytest

from safepath.surveys import xpath


@pytest.mark.parametrize(
    ("expression", "answers", "current", "expected"),
    [
        ("${age} < 18", {"age": "15"}, None, True),
        ("${age} < 18", {"age": 30}, None, False),
        ("${age} < 18", {}, None, False),  # empty is NaN in a numeric comparison
        ("${c} = 'yes'", {"c": "yes"}, None, True),
        ("${c} != 'yes'", {}, None, True),
        ("selected(${m}, 'b') and not(selected(${m}, 'c'))", {"m": "a b"}, None, True),
        ("count-selected(.) > 1", {}, "a b c", True),
        (". >= 0 and . <= 120", {}, 121, False),
        ("regex(., '^[A-Z]{2}[0-9]{2}$')", {}, "AF01", True),
        ("starts-with(., ${p})", {"p": "AF01"}, "AF0102", True),
        ("if(${a} > 1, 2, 3) = 3", {"a": 0}, None, True),
        ("${a} + ${b} * 2 = 7", {"a": 1, "b": "3"}, None, True),
        ("${a} div 2 = 2 or ${a} mod 2 = 1", {"a": 3}, None, True),
        ("string-length(.) = 3", {}, "abc", True),
    ],
)
def test_evaluate(
    expression: str, answers: dict[str, object], current: object, expected: bool
) -> None:
    assert xpath.evaluate(expression, answers, default=not expected, current=current) is expected


def test_unsupported_returns_default() -> None:
    assert xpath.evaluate("pulldata('x', 'y')", {}, default=True) is True
    assert xpath.evaluate("${a} = ", {}, default=False) is False
    with pytest.raises(xpath.Unsupported, match="pulldata"):
        xpath.translate("pulldata('x')")
