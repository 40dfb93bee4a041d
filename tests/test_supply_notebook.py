"""The refuge demand-supply notebook run with papermill: Hampshire (local data), Isle of Wight (none), and
Nottingham and Surrey for the local homelessness demand section.

Four executions in all, shared through module-scoped fixtures. Expected values are computed by
hand from the raw files (see tests/test_supply.py for the helpers) and, for homelessness, summed
here from the processed quarterly table (one row per area x quarter x measure) with Byar / exact
Poisson limits done here (tests/test_indicators.py), never copied from the code's output.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from analysis import config
from analysis.errors import ParameterError
from analysis.present.numbers import format_number
from analysis.run import parameters

from .conftest import REAL_ROOT, run_notebooks
from .test_indicators import hand_persons, poisson_limits
from .test_supply import (
    authored_fact,
    england_population_from_raw,
    population_from_raw,
    shipped_hampshire_refuge_bedspaces,
)

NOTEBOOK = "02_refuge_demand_supply"
ISLE_OF_WIGHT = "E06000046"
HAMPSHIRE = "E10000014"
#: Two authorities no other notebook test uses, each with its region: a city unitary and a county.
NEW_AREAS = {
    "E06000018": ("Nottingham", "E12000004", "East Midlands"),
    "E10000030": ("Surrey", "E12000008", "South East"),
}
DA_REASON = "prevention_or_relief_duty_reason_domestic_abuse"
REFUGE = "prevention_or_relief_duty_accommodation_refuge"


@pytest.fixture(scope="module")
def quarterly() -> pd.DataFrame:
    return pd.read_parquet(config.PROCESSED_DIR / "homelessness.parquet")


def complete_years(quarterly: pd.DataFrame) -> list[str]:
    """Financial years whose four quarters MHCLG published for England, found here."""
    england = quarterly[(quarterly["area_code"] == config.ENGLAND_CODE) & (quarterly["measure"] == DA_REASON)]
    counts = england.dropna(subset=["value"]).groupby("financial_year")["quarter"].nunique()
    return sorted(counts[counts == 4].index)


def year_sum(quarterly: pd.DataFrame, code: str, measure: str, year: str) -> tuple[float, bool]:
    """The year's four quarters summed by hand, and whether all four are complete."""
    rows = quarterly[
        (quarterly["area_code"] == code) & (quarterly["measure"] == measure) & (quarterly["financial_year"] == year)
    ]
    assert len(rows) == 4, (code, measure, year)
    return float(rows["value"].sum()), bool(rows["complete"].all() or rows["level"].iloc[0] != "utla")


def hand_rate(quarterly: pd.DataFrame, code: str, measure: str, year: str) -> tuple[float, float, float, float]:
    """(count, rate per 100,000 Census 2021 residents, interval low, interval high), all by hand."""
    count, complete = year_sum(quarterly, code, measure, year)
    assert complete, (code, measure, year)
    residents = hand_persons(code, 0, None)
    low, high = poisson_limits(count, 0.95)
    return count, count / residents * 1e5, low / residents * 1e5, high / residents * 1e5


@pytest.fixture(scope="module")
def runs(tmp_path_factory, quarterly):
    """Every run of the module, two at a time: Hampshire (with a year other than the default), the new
    authorities, and the Isle of Wight."""
    year = complete_years(quarterly)[-2]  # the notebook parameter chooses a year other than the default
    wanted = {
        HAMPSHIRE: (tmp_path_factory.mktemp("supply_hampshire"), {"area": HAMPSHIRE, "homelessness_year": year}),
        **{code: (tmp_path_factory.mktemp(f"supply_{code}"), {"area": code}) for code in NEW_AREAS},
        ISLE_OF_WIGHT: (tmp_path_factory.mktemp("supply_wight"), {"area": ISLE_OF_WIGHT}),
    }
    return run_notebooks(NOTEBOOK, wanted)


@pytest.fixture(scope="module")
def hampshire_run(runs):
    return runs[HAMPSHIRE]


@pytest.fixture(scope="module")
def new_runs(runs):
    return {code: runs[code] for code in NEW_AREAS}


@pytest.fixture(scope="module")
def wight_run(runs):
    return runs[ISLE_OF_WIGHT]


def outputs(path) -> list[dict]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [o for cell in nb["cells"] if cell["cell_type"] == "code" for o in cell.get("outputs", [])]


def shown_text(path) -> str:
    """Everything the executed notebook shows (plain text and HTML of display outputs)."""
    parts = []
    for output in outputs(path):
        data = output.get("data", {})
        for mime in ("text/plain", "text/html", "text/markdown"):
            if mime in data:
                parts.append("".join(data[mime]))
    return "\n".join(parts)


def test_hampshire_records_match_the_hand_computation(hampshire_run):
    _, records = hampshire_run
    population = population_from_raw("E10000014")
    available = shipped_hampshire_refuge_bedspaces()
    required = population / 10_000
    assert records["area_code"] == "E10000014"
    assert records["has_local_data"] is True and records["has_supply_data"] is True
    assert records["standard_per_10k"] == config.REFUGE_STANDARD_PLACES_PER_10K
    assert records["required_places"] == pytest.approx(required)
    assert records["available_places"] == available
    assert records["shortfall_places"] == pytest.approx(required - available)
    assert records["shortfall_pct"] == pytest.approx((required - available) / required * 100)
    assert records["places_per_100k"] == pytest.approx(available / population * 100_000)
    individuals = authored_fact("individuals_supported_in_safe_accommodation")
    assert records["expected_individuals_supported"] == pytest.approx(
        individuals / england_population_from_raw() * population
    )


def test_hampshire_report_shows_headline_figures_intervals_and_gaps(hampshire_run):
    path, records = hampshire_run
    shown = outputs(path)
    assert not [o for o in shown if o["output_type"] in ("error", "stream")]
    headline = next(o for o in shown if '<div class="headline"' in "".join(o.get("data", {}).get("text/html", "")))
    text = "".join(headline["data"]["text/plain"])
    assert f"{records['available_places']:.0f} refuge bedspaces" in text
    assert f"shortfall of {records['shortfall_places']:,.0f} places" in text
    images = re.findall(r'<img src="data:image/png;base64,[^"]+" alt="([^"]*)"', shown_text(path))
    # supply by type, referrals, homelessness trend, deprivation scatter, per 100,000
    assert len(images) == 5 and all(alt.strip() for alt in images)
    text = shown_text(path)
    assert "as printed (of received)" in text  # no denominator invented
    assert "Referrals received" in text and "Other emergency accommodation" in text  # what is missing
    assert "the council's own supply figures" in text.lower()  # its source is named, in words (no path)
    assert "data/raw" not in text
    assert "South East" in text and "no data" in text


def test_hampshire_shows_its_part4_example_and_records_what_is_filled(hampshire_run):
    """The worked example's Part 4 files (docs/local-data.md) as tables, the rest listed as missing."""
    from analysis.data.schemas import part4
    from analysis.present import labels

    path, records = hampshire_run
    text = shown_text(path)
    folder = REAL_ROOT / "data" / "raw" / "local" / HAMPSHIRE
    entries = {entry["title"]: entry for entry in records["part4_return"]}
    for spec in part4.PART4_FILES:
        entry = entries[spec.title]
        if not (folder / spec.name).is_file():
            assert (entry["provided"], entry["filled"]) == (False, 0), spec.name
            assert f"**{spec.title}**: not added yet." in text
            continue
        shipped = pd.read_csv(folder / spec.name, dtype=str, encoding="utf-8-sig")
        counted = shipped[shipped["count"].notna()]
        assert entry["provided"] is True and entry["filled"] == len(counted), spec.name
        assert entry["periods"] == list(dict.fromkeys(counted["period"])), spec.name
        if len(counted):  # a table per file with figures, its caption in words
            assert f"{spec.title}, Hampshire ({spec.unit})" in text
    section = next(
        "".join(o["data"]["text/markdown"]) for o in outputs(path) if "Not filled in yet" in "".join(
            o.get("data", {}).get("text/markdown", ""))
    )  # fmt: skip
    assert f"`analysis local template {HAMPSHIRE}`" in section and labels.code_text(section) == []


def test_isle_of_wight_without_local_data_shows_the_standard_alone(wight_run):
    path, records = wight_run
    population = population_from_raw(ISLE_OF_WIGHT)
    assert records["has_local_data"] is False
    assert records["required_places"] == pytest.approx(population / 10_000)
    for key in ("available_places", "shortfall_places", "shortfall_pct", "places_per_100k"):
        assert records[key] is None
    assert not [o for o in outputs(path) if o["output_type"] in ("error", "stream")]
    text = shown_text(path)
    lower = text.lower()  # the missing files named by what they would hold, not by their paths
    assert "the council's own supply figures" in lower and "the council's own referral figures" in lower
    assert "data/raw" not in text
    assert "cannot be measured" in text
    assert "no local data" in text


def test_notebook_follows_the_contract_headings_and_parameters():
    nb = json.loads((REAL_ROOT / "notebooks" / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8"))
    assert nb["cells"][0]["metadata"]["tags"] == ["researcher-notes"]
    parameters = "".join(nb["cells"][1]["source"])
    assert f"standard_per_10k: float = {config.REFUGE_STANDARD_PLACES_PER_10K}" in parameters
    assert f"refuge_share: float = {config.DEFAULT_REFUGE_SHARE}" in parameters
    assert f'demand_year: str = "{config.DEFAULT_DEMAND_YEAR}"' in parameters
    headings = [
        line
        for cell in nb["cells"]
        if cell["cell_type"] == "markdown"
        for line in "".join(cell["source"]).splitlines()
        if line.startswith("## ")
    ]
    assert headings[0] == "## Headline"
    assert headings[-3:] == ["## Sources", "## Methods, assumptions and caveats", "## Reproduce"]


# ------------------------------------------------------------------------------------------
# Local demand: households owed a homelessness duty (two authorities, and Hampshire's back-test)
# ------------------------------------------------------------------------------------------


def headline_text(path) -> str:
    headline = next(
        o for o in outputs(path) if '<div class="headline"' in "".join(o.get("data", {}).get("text/html", ""))
    )
    return "".join(headline["data"]["text/plain"])


def alt_texts(path) -> list[str]:
    return re.findall(r'<img src="data:image/png;base64,[^"]+" alt="([^"]*)"', shown_text(path))


@pytest.mark.parametrize("code", NEW_AREAS)
def test_each_authority_shows_its_own_homelessness_count_rate_interval_region_and_england(new_runs, quarterly, code):
    path, records = new_runs[code]
    name, region_code, region_name = NEW_AREAS[code]
    year = complete_years(quarterly)[-1]
    count, rate, low, high = hand_rate(quarterly, code, DA_REASON, year)
    assert not [o for o in outputs(path) if o["output_type"] in ("error", "stream")]
    assert records["homelessness_year"] == year and records["da_reason_households"] == count
    assert records["da_reason_per_100k"] == pytest.approx(rate, rel=1e-12)
    assert (records["da_reason_ci_lower"], records["da_reason_ci_upper"]) == (
        pytest.approx(low, rel=1e-9),
        pytest.approx(high, rel=1e-9),
    )
    region = hand_rate(quarterly, region_code, DA_REASON, year)[1]
    england = hand_rate(quarterly, config.ENGLAND_CODE, DA_REASON, year)[1]
    text = shown_text(path)
    assert f"In {year}, {format_number(count)} households in {name} were owed a homelessness prevention" in text
    assert (
        f"{format_number(rate, 1)} per 100,000 residents (95% interval {format_number(low, 1)} to "
        f"{format_number(high, 1)}), against {format_number(region, 1)} in the {region_name} and "
        f"{format_number(england, 1)} in England" in text
    )
    assert f"{format_number(count)} households in {name} were owed a homelessness duty" in headline_text(path)


def test_the_two_authorities_figures_differ(new_runs):
    (_, first), (_, second) = new_runs.values()
    for key in ("da_reason_households", "da_reason_per_100k", "refuge_households", "observed_expected_ratio"):
        assert first[key] is not None and second[key] is not None and first[key] != second[key], key


@pytest.mark.parametrize("code", NEW_AREAS)
def test_the_trend_the_deprivation_comparison_and_refuge_move_on_appear(new_runs, quarterly, code):
    path, records = new_runs[code]
    name = NEW_AREAS[code][0]
    years = complete_years(quarterly)
    year, previous = years[-1], years[-2]
    alts = alt_texts(path)
    [trend] = [a for a in alts if a.startswith("Line chart of households owed a homelessness")]
    own = quarterly[(quarterly["area_code"] == code) & (quarterly["measure"] == DA_REASON)].sort_values("quarter_start")
    first = own.iloc[0]
    assert first["quarter"] == "2018-19 Q1" and first["complete"]
    first_rate = first["value"] / hand_persons(code, 0, None) * 1e5
    assert f"{name} {format_number(first_rate, 1)} in 2018-19 Q1" in trend and "England " in trend
    text = shown_text(path)
    earlier, complete = year_sum(quarterly, code, DA_REASON, previous)
    if complete:  # the trend sentence compares the year with the previous complete one
        assert f"The count for {name} in {year} was" in text and f"in {previous} ({format_number(earlier)}" in text
    count = year_sum(quarterly, code, DA_REASON, year)[0]
    assert f"{name}: {format_number(count)} observed against" in text and "a ratio of" in text
    assert any(a.startswith("Scatter plot of the") and f"{name} (highlighted)" in a for a in alts)
    assert records["deprivation_model"] in ("poisson", "negative binomial")
    refuge, rate, low, high = hand_rate(quarterly, code, REFUGE, year)
    assert refuge >= config.SUPPRESSION_THRESHOLD  # so it is shown, not suppressed
    assert (
        f"In {year}, {format_number(refuge)} households owed a homelessness prevention or relief duty in {name} "
        f"were living in a refuge when they applied: {format_number(rate, 1)} per 100,000 residents "
        f"(95% interval {format_number(low, 1)} to {format_number(high, 1)})" in text
    )
    assert records["refuge_households"] == refuge


@pytest.mark.parametrize("code", NEW_AREAS)
def test_the_side_by_side_panel_has_expected_observed_requirement_and_supply(new_runs, quarterly, code):
    path, records = new_runs[code]
    year = complete_years(quarterly)[-1]
    html = shown_text(path)
    from bs4 import BeautifulSoup

    box = BeautifulSoup(html, "html.parser").select_one('[aria-label*="expected demand, observed homelessness demand"]')
    assert box is not None and box.find("table") is not None  # the table in its labelled scrolling box
    cells = [[td.get_text() for td in tr.find_all("td")] for tr in box.find("table").find("tbody").find_all("tr")]
    kinds = [c[0] for c in cells]
    assert kinds[:3] == ["expected from national rates"] * 3 and kinds[-2:] == [
        "Council of Europe requirement",
        "local supply",
    ]
    observed = {c[1]: c[2] for c in cells if c[0] == "observed locally (MHCLG)"}
    count = year_sum(quarterly, code, DA_REASON, year)[0]
    refuge = year_sum(quarterly, code, REFUGE, year)[0]
    assert list(observed.values()) == [format_number(count), format_number(refuge)]
    population = hand_persons(code, 0, None)
    assert cells[-2][2] == format_number(population / 10_000) and cells[-1][2] == "not supplied"
    individuals = authored_fact("individuals_supported_in_safe_accommodation")
    assert cells[0][2] == format_number(individuals / england_population_from_raw() * population)
    assert all(c[5] and c[6] and c[7] for c in cells)  # every row states its period, source and method
    assert "Read them side by side, not as one scale" in html


@pytest.mark.parametrize("code", NEW_AREAS)
def test_caveats_name_households_recording_first_editions_missing_quarters_and_the_model(new_runs, quarterly, code):
    path, records = new_runs[code]
    text = shown_text(path)
    for words in (
        "not people",
        "record the reason",
        "first-edition",
        "below MHCLG's annual release",
        "not a measure of how much abuse",
    ):
        assert words in text, words
    own = quarterly[(quarterly["area_code"] == code) & (quarterly["measure"] == DA_REASON) & ~quarterly["complete"]]
    for quarter in own["quarter"]:  # every incomplete quarter is named
        assert quarter in text
    assert records["backtest_shown"] is False and "Back-test against" not in text


def test_hampshire_shows_the_back_test_and_the_chosen_year(hampshire_run, quarterly):
    path, records = hampshire_run
    year = complete_years(quarterly)[-2]
    text = shown_text(path)
    assert records["backtest_shown"] is True and "Back-test against Hampshire's own figures" in text
    strategy = config.HAMPSHIRE_STRATEGY_DA_DUTY
    assert f"{strategy['2019-20']} residents in 2019-20 and {strategy['2020-21']} in 2020-21" in text
    need, _ = year_sum(quarterly, HAMPSHIRE, "duty_owed_support_need_domestic_abuse", "2020-21")
    assert f"{format_number(need)} ({format_number(need - strategy['2020-21'])})" in text
    count, rate, low, high = hand_rate(quarterly, HAMPSHIRE, DA_REASON, year)
    assert records["homelessness_year"] == year and records["da_reason_households"] == count
    assert f"In {year}, {format_number(count)} households in Hampshire were owed" in text
    assert f'homelessness_year "{year}"' in text  # the reproduce command carries the chosen year


def test_the_homelessness_year_is_checked_before_any_kernel_starts(quarterly):
    declared = parameters.read_parameters(REAL_ROOT / "notebooks" / f"{NOTEBOOK}.ipynb")
    assert declared["homelessness_year"].default == "latest"
    years = complete_years(quarterly)
    parameters.check_values(NOTEBOOK, declared, {"homelessness_year": years[0]})
    parameters.check_values(NOTEBOOK, declared, {"homelessness_year": "latest"})
    with pytest.raises(ParameterError, match="written like '2023-24'"):
        parameters.check_values(NOTEBOOK, declared, {"homelessness_year": "2023/24"})
    unpublished = sorted(set(quarterly["financial_year"]) - set(years))[-1]  # fewer than four quarters so far
    with pytest.raises(ParameterError, match=f"No complete financial year {unpublished}") as info:
        parameters.check_values(NOTEBOOK, declared, {"homelessness_year": unpublished})
    assert years[-1] in info.value.message
