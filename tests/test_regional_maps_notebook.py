"""The regional maps notebook run with papermill for four authorities in different regions.

Homelessness figures expected here are summed in the test from the processed quarterly table and
divided by Census 2021 residents from the raw TS009 file; intervals are Byar / exact Poisson limits
computed here (tests/test_indicators.py).
"""

from __future__ import annotations

import base64
import json
import re

import pandas as pd
import pytest

from analysis import config
from analysis.methods import indicators
from analysis.present.numbers import format_number
from tests.conftest import run_notebooks
from tests.test_indicators import hand_districts, hand_persons, poisson_limits

pytestmark = pytest.mark.notebook

# Four authorities in different regions: two edge cases, the smallest population in England
# (Isles of Scilly, South West) and the City of London (London, 32 neighbours), and two no other
# notebook test uses, complete in the latest year, for their own homelessness figures: Nottingham
# (a city unitary, East Midlands) and Surrey (a county, South East).
RUNS = {
    "E06000053": {},
    "E09000001": {"indicators": ["population_14_18", "partner_abuse_women_region"], "classification": "fisher_jenks"},
    "E06000018": {},
    "E10000030": {},
}
NEW = ("E06000018", "E10000030")
LEAD = "homelessness_da_per_residents"
DA_REASON = "prevention_or_relief_duty_reason_domestic_abuse"
IMG = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)"/>')
# A published table sits in a scrolling box labelled with its caption (analysis.present.tables).
TABLE = re.compile(r'<div[^>]*? aria-label="([^"]*and its comparators[^"]*)"[^>]*>\s*<table.*?</table>', re.S)
CODE_CELL = re.compile(r"<td[^>]*>([EK]\d{8})</td>")


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    runs = {code: (tmp_path_factory.mktemp(code), {"area": code, **parameters}) for code, parameters in RUNS.items()}
    done = run_notebooks("03_regional_maps", runs)
    return {code: (json.loads(path.read_text(encoding="utf-8")), records) for code, (path, records) in done.items()}


def html_outputs(nb) -> list[str]:
    return [
        "".join(o["data"]["text/html"])
        for cell in nb["cells"]
        for o in cell.get("outputs", [])
        if "text/html" in o.get("data", {})
    ]


def expected_neighbours(code: str) -> tuple[str, list[str]]:
    districts = hand_districts()
    region = districts.loc[districts["UTLA22CD"] == code, "region"].iloc[0]
    return region, sorted(set(districts.loc[districts["region"] == region, "UTLA22CD"]) - {code})


@pytest.mark.parametrize("code", RUNS)
def test_the_notebook_runs_without_errors_and_records_its_choices(executed, code):
    nb, records = executed[code]
    errors = [o for cell in nb["cells"] for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    region, neighbours = expected_neighbours(code)
    assert records["area_code"] == code and records["region_code"] == region
    assert sorted(records["neighbours"]) == neighbours
    wanted = RUNS[code].get("indicators", indicators.indicator_ids())
    assert records["indicators"] == wanted
    assert records["classification"] == RUNS[code].get("classification", config.MAP_CLASSIFICATION_DEFAULT)
    assert records["value"]["population_14_18"] == pytest.approx(
        hand_persons(code, 14, 18) / hand_persons(code, 0, None) * 1e5, rel=1e-12
    )
    assert records["value"]["partner_abuse_women_region"] is None  # published by region only


@pytest.mark.parametrize("code", RUNS)
def test_every_figure_is_an_embedded_png_with_alt_text(executed, code):
    nb, records = executed[code]
    images = [m for html in html_outputs(nb) for m in IMG.findall(html)]
    flat = {i for i in records["indicators"] if not indicators.get_indicator(i).varies_by_area}  # a sentence instead
    assert len(images) == records["n_figures"] >= 2 * len(set(records["indicators"]) - flat)
    for encoded, alt in images:
        data = base64.b64decode(encoded)
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
        assert len(alt) > 40
    assert not any("http://" in html or "https://" in html for html in html_outputs(nb) if "<img" in html)


@pytest.mark.parametrize("code", RUNS)
def test_each_comparison_table_lists_the_authority_its_neighbours_the_region_and_england(executed, code):
    nb, records = executed[code]
    region, neighbours = expected_neighbours(code)
    tables = [(m.group(1), m.group(0)) for html in html_outputs(nb) for m in TABLE.finditer(html)]
    assert len(tables) == len([i for i in records["indicators"] if indicators.get_indicator(i).varies_by_area])
    for caption, table in tables:
        codes = CODE_CELL.findall(table)
        if codes[-1] == config.ENGLAND_AND_WALES_CODE:  # region-only indicator: the reference comes last
            codes = codes[:-1]
        assert codes[0] == code and codes[-2:] == [region, config.ENGLAND_CODE], caption
        assert sorted(codes[1:-2]) == neighbours, caption


# ------------------------------------------------------------------------------------------
# The lead indicator: households owed a homelessness duty because of domestic abuse
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def quarterly() -> pd.DataFrame:
    return pd.read_parquet(config.PROCESSED_DIR / "homelessness.parquet")


def latest_year(quarterly: pd.DataFrame) -> str:
    england = quarterly[(quarterly["area_code"] == config.ENGLAND_CODE) & (quarterly["measure"] == DA_REASON)]
    counts = england.dropna(subset=["value"]).groupby("financial_year")["quarter"].nunique()
    return max(counts[counts == 4].index)


def year_sum(quarterly: pd.DataFrame, code: str, measure: str, year: str) -> float:
    rows = quarterly[
        (quarterly["area_code"] == code) & (quarterly["measure"] == measure) & (quarterly["financial_year"] == year)
    ]
    assert len(rows) == 4 and (rows["complete"].all() or rows["level"].iloc[0] != "utla"), (code, measure)
    return float(rows["value"].sum())


def headline(nb) -> str:
    return next(
        "".join(o["data"]["text/plain"])
        for cell in nb["cells"]
        for o in cell.get("outputs", [])
        if '<div class="headline"' in "".join(o.get("data", {}).get("text/html", ""))
    )


@pytest.mark.parametrize("code", NEW)
def test_the_report_leads_with_the_authoritys_own_homelessness_rate_and_interval(executed, quarterly, code):
    nb, records = executed[code]
    year = latest_year(quarterly)
    assert records["indicators"][0] == LEAD  # not the 14-18 population share
    count = year_sum(quarterly, code, DA_REASON, year)
    residents = hand_persons(code, 0, None)
    rate = count / residents * 1e5
    low, high = (limit / residents * 1e5 for limit in poisson_limits(count, 0.95))
    england = (
        year_sum(quarterly, config.ENGLAND_CODE, DA_REASON, year) / hand_persons(config.ENGLAND_CODE, 0, None) * 1e5
    )
    assert records["value"][LEAD] == pytest.approx(rate, rel=1e-12)
    assert records["england_value"][LEAD] == pytest.approx(england, rel=1e-12)
    text = headline(nb)
    name = records["area_name"]
    assert text.startswith("Households owed a homelessness duty because of domestic abuse, by residents")
    assert f"({year}, the latest complete financial year), {name}: {format_number(rate, 1)} per 100,000" in text
    assert f"(95% interval {format_number(low, 1)} to {format_number(high, 1)})" in text
    assert text.endswith(f"against {format_number(england, 1)} for England.")


@pytest.mark.parametrize("code", NEW)
def test_each_homelessness_indicator_is_in_its_unit_with_a_comparison_table(executed, quarterly, code):
    nb, records = executed[code]
    year = latest_year(quarterly)
    count = year_sum(quarterly, code, DA_REASON, year)
    households = year_sum(quarterly, code, "households_in_area_thousands", year) / 4 * 1000
    duties = year_sum(quarterly, code, "prevention_or_relief_duty_reason_total", year)
    assert records["value"]["homelessness_da_per_households"] == pytest.approx(count / households * 1000, rel=1e-12)
    assert records["value"]["homelessness_da_share_of_duties"] == pytest.approx(count / duties * 100, rel=1e-12)
    assert records["unit"]["homelessness_da_per_households"].startswith("per 1,000 households")
    assert records["unit"]["homelessness_da_share_of_duties"].startswith("% of households owed")
    tables = {m.group(1): m.group(0) for html in html_outputs(nb) for m in TABLE.finditer(html)}
    [lead] = [
        t
        for caption, t in tables.items()
        if caption.startswith("Households owed a homelessness duty because of domestic abuse, by residents")
    ]
    row = re.search(rf"<tr>\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>{code}</td>(.*?)</tr>", lead, re.S)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    residents = hand_persons(code, 0, None)
    low, high = (limit / residents * 1e5 for limit in poisson_limits(count, 0.95))
    england = (
        year_sum(quarterly, config.ENGLAND_CODE, DA_REASON, year) / hand_persons(config.ENGLAND_CODE, 0, None) * 1e5
    )
    expected = "higher" if low > england else "lower" if high < england else "similar"
    assert cells[1:5] == [
        format_number(count),
        format_number(residents),
        format_number(count / residents * 1e5, 1),
        f"{format_number(low, 1)} to {format_number(high, 1)}",  # the interval as "lower to upper"
    ]
    assert cells[5].startswith(expected)
    [share] = [t for caption, t in tables.items() if caption.startswith("Share of households owed")]
    assert re.search(r"<th[^>]*>%</th>", share) and "% of households owed a prevention or relief duty" in share
    per_households = next(t for c, t in tables.items() if "by households in the area" in c)
    assert re.search(r"<th[^>]*>Per 1,000</th>", per_households)
    text = "\n".join(
        "".join(o["data"]["text/markdown"])
        for cell in nb["cells"]
        for o in cell.get("outputs", [])
        if "text/markdown" in o.get("data", {})
    )
    assert "No map, funnel plot, ranking or comparison table: national Crime Survey rates by sex" in text
    assert "No map, funnel plot, ranking or comparison table: one national rate is applied" in text


def test_the_two_authorities_show_different_figures(executed):
    first, second = (executed[code][1] for code in NEW)
    for indicator_id in indicators.check_indicator_selection("all")[:4]:
        assert first["value"][indicator_id] != second["value"][indicator_id], indicator_id
