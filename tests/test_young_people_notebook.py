"""Back-test of notebook 04_young_people_14_18 executed with papermill for three authorities:
Hampshire with the default (research) scenario, Southampton with scenario parameters and
Birmingham, which no other chapter test runs. The recorded headline values and the scoping table
are compared with values computed here by hand from the raw files; the 16-17 homelessness figures
with sums of the processed quarterly table, including Hampshire's real small count and incomplete
years and Birmingham's complete latest year."""

from __future__ import annotations

import json
from functools import cache

import pandas as pd
import pytest

from analysis import config
from analysis.data import tables
from analysis.present import report
from tests.conftest import census_population, raw_csv, run_notebooks

pytestmark = pytest.mark.notebook

NOTEBOOK = "04_young_people_14_18"
RUNS = {
    "E10000014": {},
    "E06000045": {"scenario_low_percent": 10.0, "scenario_high_percent": 20.0},
    "E08000025": {},  # Birmingham: no other chapter test runs it
}
HAMPSHIRE, BIRMINGHAM = "E10000014", "E08000025"
REGIONS = {HAMPSHIRE: "E12000008", BIRMINGHAM: "E12000005"}
#: The processed quarterly measures of tables A6 and A3, and of the indicators' year (A2 domestic abuse).
A6 = "prevention_or_relief_duty_main_applicant_aged_16_17"
A3 = "duty_owed_support_need_young_person_16_17"
DA_REASON = "prevention_or_relief_duty_reason_domestic_abuse"


@pytest.fixture(scope="module")
def executed(tmp_path_factory, hampshire_batch):
    """Each authority's executed notebook path and records. Hampshire's is the chapter of the
    session's real batch (``hampshire_batch`` in tests/conftest.py: ``analysis batch --area
    Hampshire`` executes it with papermill, in a fresh kernel, with the same parameters as the
    runs here), read only; the other two are papermill runs here."""
    done = run_notebooks(
        NOTEBOOK,
        {
            code: (tmp_path_factory.mktemp(code), {"area": code, **extra})
            for code, extra in RUNS.items()
            if code != HAMPSHIRE
        },
    )
    assert hampshire_batch["runs"][NOTEBOOK]["parameters"] == {"area": HAMPSHIRE, **RUNS[HAMPSHIRE]}
    path = hampshire_batch["folder"] / f"{NOTEBOOK}.ipynb"
    return {HAMPSHIRE: (path, report.read_records(path)), **done}


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


# ------------------------------------------------------------------------------------------
# 16-17 year olds owed a homelessness duty: by hand from the processed quarterly table
# ------------------------------------------------------------------------------------------


@cache
def quarters() -> pd.DataFrame:
    return tables.read_table("homelessness")


def hand_year() -> str:
    """The latest financial year with four published England quarters of the domestic abuse reason."""
    rows = quarters()
    england = rows[(rows["area_code"] == config.ENGLAND_CODE) & (rows["measure"] == DA_REASON) & rows["value"].notna()]
    counts = england.groupby("financial_year")["quarter"].nunique()
    return max(year for year, n in counts.items() if n == 4)


def hand_value(code: str, measure: str, year: str):
    """The year's households: the sum of four quarters when all are complete (an authority) or published
    (a region or England), else None; a count of 1-4 is the suppression marker."""
    rows = quarters()
    rows = rows[(rows["area_code"] == code) & (rows["measure"] == measure) & (rows["financial_year"] == year)]
    ok = rows["complete"] if (rows["level"] == "utla").all() else rows["value"].notna()
    if rows["quarter"].nunique() != 4 or not ok.all():
        return None
    total = float(rows["value"].sum())
    return config.SUPPRESSION_MARKER if 1 <= total <= 4 else total


def hand_gaps(code: str, measure: str) -> list[str]:
    """'2022-23 Q1: Basingstoke & Deane (E07000084): no data ('..')' for each quarter a housing authority missed."""
    rows = quarters()
    rows = rows[(rows["area_code"] == code) & (rows["measure"] == measure) & ~rows["complete"]]
    rows = rows[(rows["missing_districts"] != "") & (rows["financial_year"] <= hand_year())]
    return [f"{q}: {m}" for q, m in zip(rows["quarter"], rows["missing_districts"])]


@pytest.mark.parametrize("code", [HAMPSHIRE, BIRMINGHAM])
def test_homelessness_16_17_records_are_the_published_sums_of_the_quarters(executed, code):
    _, records = executed[code]
    year = hand_year()
    assert records["homelessness_16_17_year"] == year
    for key, measure in (("applicant_16_17", A6), ("support_need_16_17", A3)):
        assert records[f"homelessness_{key}"] == hand_value(code, measure, year), key
        assert records[f"region_homelessness_{key}"] == hand_value(REGIONS[code], measure, year), key
        assert records[f"england_homelessness_{key}"] == hand_value(config.ENGLAND_CODE, measure, year), key
    trend = {row["financial_year"]: row for row in records["homelessness_16_17_trend"]}
    assert list(trend)[0] == config.HOMELESSNESS_FIRST_YEAR and list(trend)[-1] == year
    for fy, row in trend.items():
        assert row["applicant_16_17"] == hand_value(code, A6, fy), fy
        assert row["support_need_16_17"] == hand_value(code, A3, fy), fy


def test_birminghams_latest_year_is_complete_and_its_small_2018_19_count_is_suppressed(executed):
    path, records = executed[BIRMINGHAM]
    year = hand_year()
    assert records["homelessness_applicant_16_17_published"] and records["homelessness_applicant_16_17_note"] == ""
    assert records["homelessness_support_need_16_17_published"]
    assert isinstance(hand_value(BIRMINGHAM, A6, year), float)  # complete in the latest year, not small
    # A6 for 2018-19: the four quarters sum to a real count below 5, shown only as the marker
    rows = quarters()
    early = rows[(rows["area_code"] == BIRMINGHAM) & (rows["measure"] == A6) & (rows["financial_year"] == "2018-19")]
    assert early["complete"].all() and 1 <= early["value"].sum() <= 4
    text = outputs_text(path)
    assert f"Main applicant aged 16-17 (A6): 2018-19 {config.SUPPRESSION_MARKER}" in text  # the chart's alt text
    assert f"Birmingham {report_number(records['homelessness_applicant_16_17'])}" in text


def test_hampshires_small_count_is_suppressed_in_table_chart_alt_text_and_rate(executed):
    path, records = executed[HAMPSHIRE]
    year = hand_year()
    rows = quarters()
    mine = rows[(rows["area_code"] == HAMPSHIRE) & (rows["measure"] == A6) & (rows["financial_year"] == year)]
    assert mine["complete"].all() and 1 <= mine["value"].sum() <= 4  # a real small count in the data
    assert records["homelessness_applicant_16_17"] == config.SUPPRESSION_MARKER
    table = _html_table(path, "households owed a homelessness duty involving a 16-17 year old, " + year)
    hampshire = table[(table["Area"] == "Hampshire") & table["Measure"].str.startswith("Main applicant")].iloc[0]
    assert hampshire["Households"] == config.SUPPRESSION_MARKER
    assert hampshire["Per 1,000 residents aged 16-17"] == config.SUPPRESSION_MARKER
    text = outputs_text(path)
    assert f"Hampshire fewer than 5 ({config.SUPPRESSION_MARKER}, suppressed)" in text
    assert f"{year} {config.SUPPRESSION_MARKER}" in text  # alt text
    assert f"{year} {int(mine['value'].sum())}," not in text and f"{year} {int(mine['value'].sum())};" not in text


def test_hampshires_incomplete_years_name_the_housing_authority_and_quarter(executed):
    path, records = executed[HAMPSHIRE]
    gaps = hand_gaps(HAMPSHIRE, A6) + hand_gaps(HAMPSHIRE, A3)
    assert "2022-23 Q1: Basingstoke & Deane (E07000084): no data ('..')" in gaps  # found in the data, not made up
    text = outputs_text(path)
    for gap in gaps:
        assert gap in text, gap
    trend = {row["financial_year"]: row for row in records["homelessness_16_17_trend"]}
    assert trend["2022-23"]["applicant_16_17"] is None and trend["2022-23"]["support_need_16_17"] is None
    assert "2019-20: not published" in text  # A6 has no 2019-20 tables at all
    assert "households owed a homelessness prevention or relief duty" in text.lower()
    assert "not all young people at risk" in text and "recording practice" in text


def report_number(value) -> str:
    return value if isinstance(value, str) else report.format_number(value)


def _html_table(path, caption_part: str) -> pd.DataFrame:
    """The published HTML table whose caption contains ``caption_part``, read back with BeautifulSoup."""
    from bs4 import BeautifulSoup

    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            value = output.get("data", {}).get("text/html")
            soup = BeautifulSoup(value if isinstance(value, str) else "".join(value or []), "html.parser")
            table = soup.find("table")
            if table is not None and caption_part in table.caption.get_text():
                header = [th.get_text(strip=True) for th in table.thead.find_all("th")]
                body = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in table.tbody.find_all("tr")]
                return pd.DataFrame(body, columns=header)
    raise AssertionError(f"no table with caption containing {caption_part!r}")
