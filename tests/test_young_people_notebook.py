"""Back-test of notebook 04_young_people_14_18 executed with papermill for two authorities:
Hampshire with the default (research) scenario, Southampton with scenario parameters. The
recorded headline values and the scoping table are compared with values computed here by
hand from the raw files."""

from __future__ import annotations

import json
from functools import cache

import pytest

from tests.conftest import census_population, raw_csv, run_notebook

pytestmark = pytest.mark.notebook

NOTEBOOK = "04_young_people_14_18"
RUNS = {
    "E10000014": {},
    "E06000045": {"scenario_low_percent": 10.0, "scenario_high_percent": 20.0},
}


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Each authority's executed notebook path and records (two papermill runs in all)."""
    out = {}
    for code, extra in RUNS.items():
        out[code] = run_notebook(NOTEBOOK, tmp_path_factory.mktemp(code), area=code, **extra)
    return out


@cache
def raw(source_id: str):
    return raw_csv(source_id)


def hand_population(code: str, ages: range, sex: str = "persons") -> float:
    """Census 2021 usual residents of the ages (all ages when ``ages`` is empty), from raw TS009."""
    if not ages:
        return census_population(code, sex)
    return census_population(code, sex, min(ages), max(ages))


def hand_rate() -> float:
    authored = raw("csew_rates_authored")
    row = authored[
        (authored["survey_year"] == "YE Mar 2020")
        & (authored["sex"] == "all")
        & (authored["age_band"] == "16-19")
        & (authored["measure"] == "any_domestic_abuse")
    ]
    return float(row["percent"].iloc[0])


def hand_women_rate() -> float:
    """Women's partner abuse at 16-19, year ending March 2020, from the raw SDG 5.2.1 file."""
    sdg = raw("sdg_521_partner_abuse_women")
    row = sdg[
        (sdg["Year"] == "2019/20")
        & (sdg["Age"] == "16 to 19")
        & sdg["Region"].isna()
        & sdg["Type of partner abuse"].isna()
    ]
    assert len(row) == 1
    return float(row["Value"].iloc[0])


def hand_bounds(code: str) -> tuple[float, float]:
    if RUNS[code]:
        return RUNS[code]["scenario_low_percent"], RUNS[code]["scenario_high_percent"]
    research = raw("young_people_research_authored")
    return (
        float(research.loc[research["scenario_bound"] == "low", "value"].min()),
        float(research.loc[research["scenario_bound"] == "high", "value"].max()),
    )


def outputs_text(path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    parts = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            parts.append(cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"]))
        for output in cell.get("outputs", []):
            for mime in ("text/html", "text/plain", "text/markdown"):
                value = output.get("data", {}).get(mime)
                if value:
                    parts.append(value if isinstance(value, str) else "".join(value))
    return "\n".join(parts)


@pytest.mark.parametrize("code", list(RUNS))
def test_recorded_populations_estimate_and_scenario_match_hand_computations(executed, code):
    _, records = executed[code]
    young, older, pair = range(14, 19), range(16, 19), range(14, 16)
    total = hand_population(code, range(0))
    low, high = hand_bounds(code)
    assert records["area_code"] == code
    assert records["population_14_18"] == hand_population(code, young)
    assert records["population_16_18"] == hand_population(code, older)
    assert records["estimate_16_18"] == pytest.approx(hand_population(code, older) * hand_rate() / 100)
    assert records["scenario_14_15_low"] == pytest.approx(hand_population(code, pair) * low / 100)
    assert records["scenario_14_15_high"] == pytest.approx(hand_population(code, pair) * high / 100)
    assert records["share_14_18_percent"] == pytest.approx(hand_population(code, young) / total * 100)
    england = hand_population("E92000001", young) / hand_population("E92000001", range(0)) * 100
    assert records["england_share_14_18_percent"] == pytest.approx(england)
    # boys of each age are observed Census 2021 counts (the sons-in-refuge context)
    assert records["boys_14_15"] == hand_population(code, pair, "male")
    assert records["boys_16_18"] == hand_population(code, older, "male")
    assert records["estimate_16_18_female_partner_abuse"] == pytest.approx(
        hand_population(code, older, "female") * hand_women_rate() / 100, rel=1e-4
    )


@pytest.mark.parametrize("code", list(RUNS))
def test_scoping_table_has_every_age_and_labels_the_scenario(executed, code):
    path, records = executed[code]
    table = {row["age"]: row for row in records["scoping_table"]}
    assert list(table) == ["14", "15", "14-15", "16", "17", "18", "16-18", "14-18"]
    for age in ("14", "15", "14-15"):
        assert table[age]["estimate"] is None
        assert table[age]["basis"].startswith("SCENARIO (not a measured prevalence)")
    for age in ("16", "17", "18", "16-18"):
        assert table[age]["estimate"] == pytest.approx(table[age]["population"] * hand_rate() / 100)
        assert "SCENARIO" not in table[age]["basis"]
    assert table["14-18"]["population"] == hand_population(code, range(14, 19))
    text = outputs_text(path)
    assert "young people aged 14-18, Census 2021 population, 16-18 estimate and 14-15 scenario" in text
    assert text.count("SCENARIO (not a measured prevalence)") >= 3


def test_scenario_basis_says_where_the_bounds_came_from(executed):
    assert "research figures" in executed["E10000014"][1]["scenario_basis"]
    assert executed["E06000045"][1]["scenario_basis"] == "values set by the notebook parameters"


def test_local_context_follows_the_area(executed):
    hants_path, hants = executed["E10000014"]
    soton_path, soton = executed["E06000045"]
    assert hants["refuge_son_age_limit_area"] == 16 and soton["refuge_son_age_limit_area"] is None
    assert hants["refuge_son_age_limit_typical"] == 14
    soton_text = outputs_text(soton_path)
    assert "1,204" in soton_text and "Southampton's strategy states 19% against 12% nationally" in soton_text
    assert "1,204" not in outputs_text(hants_path)


@pytest.mark.parametrize("code", list(RUNS))
def test_report_follows_the_notebook_contract(executed, code):
    path, _ = executed[code]
    nb = json.loads(path.read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] in ("error", "stream", "execute_result")]
    headings = [
        line
        for c in nb["cells"]
        if c["cell_type"] == "markdown"
        for line in ("".join(c["source"]) if isinstance(c["source"], list) else c["source"]).splitlines()
        if line.startswith("## ")
    ]
    assert headings[0] == "## Headline"
    assert headings[-3:] == ["## Sources", "## Methods, assumptions and caveats", "## Reproduce"]
    assert "## The legal framing" in headings
    text = outputs_text(path)
    assert 'class="headline"' in text
    assert '<img src="data:image/png;base64,' in text and 'alt="Bar chart of the share of all residents' in text
    assert "residents aged 14-18 by sex, Census 2021" in text  # sex is observed, and says so
    assert "ASSUMED" not in text and "assumed split" not in text and "mid-2020" not in text
