"""People in need: population from a sample frame or DTM figures, PiN in people with intervals."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from safepath.analysis.design import Design
from safepath.analysis.estimates import estimate
from safepath.analysis.pin import people_in_need
from safepath.analysis.population import Population, from_dtm, from_frame
from safepath.errors import InputError
from safepath.risk.table import as_table
from safepath.surveys.tables import read_table

DTM = """\
operation,admin1Pcode,adminLevel,roundNumber,numPresentIdpInd,numberMales,displacementReason
#operation+name,#adm1+code,#adm+level,#round+code,#affected+idps,#affected+idps+m,#cause+type
Op,,0,1,999,,Conflict
Op,XA01,1,1,100,60,Conflict
Op,XA01,1,1,20,5,Natural disaster
Op,XA01,1,2,500,,Conflict
Op,XA02,1,1,300,100,Conflict
Op,XA01,2,1,7,,Conflict
"""


def _dtm(text: str = DTM) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str)


def test_frame_population_is_summed_per_group() -> None:
    frame = pd.DataFrame(
        {"admin1": ["P1", "P1", "P2"], "admin2": ["P11", "P12", "P21"], "pop": [1000, 2000, 4000]}
    )
    pop = from_frame(frame, ["admin1"])
    assert pop.figures == {("P1",): 3000.0, ("P2",): 4000.0} and pop.total == 7000.0
    assert from_frame(frame, ["admin2"]).lookup(("P12",)) == 2000.0


def test_frame_refuses_unusable_rows_and_unknown_columns() -> None:
    frame = pd.DataFrame({"admin1": ["P1", None, "P2"], "pop": [-5, 10, "many"]})
    with pytest.raises(InputError) as caught:
        from_frame(frame, ["admin1"], source="loa.xlsx")
    assert [(p.row, p.column) for p in caught.value.problems] == [
        (2, "pop"),
        (3, "admin1"),
        (4, "pop"),
    ]
    with pytest.raises(InputError, match="lacks the column.*sex"):
        from_frame(frame, ["sex"])


def test_dtm_figures_for_one_round_summed_per_pcode() -> None:
    pop = from_dtm(_dtm(), round="1")
    # national and admin-2 rows left out; the two displacement reasons of XA01 added
    assert pop.figures == {("XA01",): 120.0, ("XA02",): 300.0}
    assert from_dtm(_dtm(), round="2").figures == {("XA01",): 500.0}
    males = from_dtm(_dtm(), round="1", figure_tag="#affected+idps+m")
    assert males.figures == {("XA01",): 65.0, ("XA02",): 100.0}


def test_dtm_needs_a_round_when_it_holds_several() -> None:
    with pytest.raises(InputError, match="several rounds.*XA01.*--dtm-round"):
        from_dtm(_dtm())


def test_dtm_refuses_a_bad_figure_naming_the_file_row() -> None:
    text = DTM.replace("Op,XA02,1,1,300", "Op,XA02,1,1,3OO")
    with pytest.raises(InputError) as caught:
        from_dtm(_dtm(text), round="1", source="dtm.csv")
    [problem] = caught.value.problems
    assert (problem.scope, problem.row, problem.value) == ("dtm.csv", 7, "3OO")


def test_dtm_without_hashtags_is_refused() -> None:
    with pytest.raises(InputError, match="no HXL hashtag row"):
        from_dtm(pd.DataFrame({"a": ["1"], "b": ["2"]}))


@pytest.mark.shared
def test_real_dtm_table_one_operation_and_round(shared_dir: Path) -> None:
    path = shared_dir / "data" / "iom-dtm-hxl" / "global-iom-dtm-from-api-admin-0-to-2.csv"
    table = read_table(path)
    pop = from_dtm(table, round="1", operation="Hurricane Matthew", source=path.name)
    rows = table.iloc[1:]
    rows = rows[
        (rows.operation == "Hurricane Matthew")
        & (rows.roundNumber.astype(str) == "1")
        & (rows.adminLevel.astype(str) == "1")
    ]
    expected = rows.groupby("admin1Pcode")["numPresentIdpInd"].apply(
        lambda s: float(pd.to_numeric(s).sum())
    )
    assert pop.figures == {(k,): v for k, v in expected.items()} and len(pop.figures) > 1


def _scored() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "_row": range(2, 10),
            "area": ["A", "A", "A", "A", "B", "B", "C", "C"],
            "w": [1.0, 1.0, 2.0, 1.0, 1.0, 3.0, 1.0, 1.0],
            "size": [2, 4, 3, 5, 1, 2, 6, 6],
            "phase": [1, 3, 4, 2, 5, 1, 3, 3],
        }
    )


def test_pin_in_people_with_a_clipped_interval() -> None:
    population = Population(("area",), {("A",): 1000.0, ("B",): 500.0}, "frame")
    design = Design(weight="w", row="_row")
    rows = people_in_need(as_table(_scored()), design, population, phase=3, by=["area"])
    overall, a, b, c = rows
    assert a.group == ("A",) and a.share == pytest.approx(3 / 5)
    assert a.pin == pytest.approx(600.0)
    assert a.ci_low is not None and a.ci_high is not None
    assert a.pin_low == pytest.approx(max(0.0, a.ci_low) * 1000)
    assert a.pin_high == pytest.approx(min(1.0, a.ci_high) * 1000)
    assert c.share == 1.0 and c.ci_high is not None  # C: in the survey, not in the frame
    assert (c.population, c.pin, c.pin_high) == (None, None, None)
    assert overall.population == 1500.0
    assert overall.pin == pytest.approx(overall.share * 1500)  # type: ignore[operator]


def test_household_size_turns_households_into_people() -> None:
    population = Population((), {(): 100.0}, "frame")
    data = _scored()
    rows = people_in_need(
        as_table(data), Design(weight="w", row="_row"), population, household_size="size"
    )
    people = data.w * data["size"]
    share = float((people * (data.phase >= 3)).sum() / people.sum())
    assert rows[0].share == pytest.approx(share)
    # the same as a mean under weights w * size (svyratio = svymean with those weights)
    plain = estimate(
        as_table(data.assign(x=(data.phase >= 3).astype(float), pw=people)),
        "x",
        Design(weight="pw", row="_row"),
    )
    assert rows[0].se == pytest.approx(plain[0].se)


def test_household_size_must_be_positive() -> None:
    data = _scored()
    data.loc[3, "size"] = 0
    with pytest.raises(InputError) as caught:
        people_in_need(
            as_table(data),
            Design(weight="w", row="_row", source="r.csv"),
            Population((), {(): 1.0}, "f"),
            household_size="size",
        )
    assert [(p.row, p.column) for p in caught.value.problems] == [(5, "size")]
