"""notebooks/01_prevalence.ipynb executed headless with papermill: its recorded headline values
equal the package's, for two authorities and England, and a bad parameter stops it with a clear error.

Each execution runs once per module (module-scoped fixtures) and is shared by the tests.
"""

from __future__ import annotations

import json
from functools import cache

import pandas as pd
import pytest

from analysis import config
from analysis.data import tables
from analysis.methods import prevalence
from analysis.present import prevalence as show
from analysis.present import report

from .conftest import census_population, districts_of, raw_csv, run_notebooks
from .test_prevalence_bands import sdg_women_partner_abuse_by_age

pytestmark = pytest.mark.notebook

HAMPSHIRE, BIRMINGHAM = "E10000014", "E08000025"
REGIONS = {HAMPSHIRE: ("E12000008", "South East"), BIRMINGHAM: ("E12000005", "West Midlands")}
IMD = "Index of Multiple Deprivation"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The module's five runs, two at a time (run_notebooks): four reports, and one stopped by an
    unknown survey year (its value is the exception the run raised)."""
    return run_notebooks(
        "01_prevalence",
        {
            # Default parameters: Hampshire, the latest survey year with rates by sex.
            "hampshire": (tmp_path_factory.mktemp("hampshire"), {}),
            # Another authority, by name, with an earlier survey year (16-74) and no rounding.
            "southampton": (
                tmp_path_factory.mktemp("southampton"),
                {"area": "Southampton", "survey_year": "YE Mar 2020", "round_to": 1},
            ),
            # An authority no other chapter test runs: one district, most of its residents from ethnic
            # minority groups.
            "birmingham": (tmp_path_factory.mktemp("birmingham"), {"area": BIRMINGHAM}),
            "england": (tmp_path_factory.mktemp("england"), {"area": "England"}),
            # A survey year the published rates do not have: the notebook stops with a clear error.
            "unknown_survey_year": (tmp_path_factory.mktemp("unknown_survey_year"), {"survey_year": "YE Mar 1999"}),
        },
        failing=("unknown_survey_year",),
    )


@pytest.fixture(scope="module")
def hampshire(runs):
    """Default parameters: Hampshire, the latest survey year with rates by sex."""
    return runs["hampshire"]


@pytest.fixture(scope="module")
def southampton(runs):
    """Another authority, by name, with an earlier survey year (16-74) and no rounding."""
    return runs["southampton"]


@pytest.fixture(scope="module")
def birmingham(runs):
    """An authority no other chapter test runs: one district, most of its residents from ethnic minority groups."""
    return runs["birmingham"]


@pytest.fixture(scope="module")
def england(runs):
    return runs["england"]


def expected_values(area: str, survey_year: str | None) -> dict:
    comparison = prevalence.compare_with_region_and_england(area, survey_year)
    return prevalence.headline_values(comparison, prevalence.estimate_children(area))


def outputs_text(path) -> str:
    """All text/plain and markdown outputs of an executed notebook, joined."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    texts = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for mime in ("text/markdown", "text/plain"):
                if mime in data:
                    value = data[mime]
                    texts.append("".join(value) if isinstance(value, list) else value)
    return "\n".join(texts)


@pytest.mark.parametrize(
    "run, area, survey_year", [("hampshire", "E10000014", None), ("southampton", "E06000045", "YE Mar 2020")]
)
def test_recorded_headline_equals_the_package_value(request, run, area, survey_year):
    _, records = request.getfixturevalue(run)
    expected = expected_values(area, survey_year)
    assert records["area_code"] == area
    for key in (
        "estimate_adults",
        "estimate_per_100k_adults",
        "region_per_100k_adults",
        "england_per_100k_adults",
        "estimate_children",
        "population_adults",
    ):
        assert records[key] == pytest.approx(expected[key], rel=1e-12), key
    for key in ("survey_year", "breakdown", "measure_version", "age_range", "interval_method"):
        assert records[key] == expected[key], key
    assert records["estimate_ci_lower"] is None and records["estimate_ci_upper"] is None


def test_headline_is_the_first_result_and_states_the_missing_interval(southampton):
    path, records = southampton
    nb = json.loads(path.read_text(encoding="utf-8"))
    shown = [
        o
        for c in nb["cells"]
        for o in c.get("outputs", [])
        if "text/plain" in o.get("data", {}) and report.RECORD_MIME not in o["data"]
    ]
    headline = "".join(shown[1]["data"]["text/plain"])  # after the title
    assert f"{records['estimate_adults']:,.0f} adults aged 16-74 in Southampton" in headline
    assert prevalence.NO_INTERVAL_NOTE in headline and "YE Mar 2020" in headline


def test_report_states_sources_assumptions_and_caveats(hampshire):
    text = outputs_text(hampshire[0])
    assert show.POPULATION_NOTE in text and "female share" not in text and "mid-2020" not in text
    assert "private households" in text.lower() and "refuges" in text
    assert "Childhood Local Data on Risks and Needs" in text and "2019" in text
    assert "Census 2021 TS009: sex by single year of age" in text and "never mixed" in text
    assert "Traceback" not in text


def test_population_and_estimate_by_sex_and_age_band_say_the_rate_is_by_sex_only(hampshire):
    text = outputs_text(hampshire[0])
    assert "by sex and age band (YE Mar 2024 rates)" in text
    assert "published only for women 16+ (9.5%) and men 16+ (6.5%), not by age band" in text
    assert "not how the risk of abuse differs with age" in text
    assert prevalence.NO_INTERVAL_NOTE in text  # the intervals stay honest: none published, none shown


@pytest.mark.parametrize("run, area", [("hampshire", "E10000014"), ("southampton", "E06000045")])
def test_womens_partner_abuse_by_age_is_recorded_from_the_published_rates(request, run, area):
    path, records = request.getfixturevalue(run)
    rates = sdg_women_partner_abuse_by_age("2019/20")
    expected = sum(
        rate / 100 * census_population(area, "female", *map(int, band.split("-"))) for band, rate in rates.items()
    )
    assert records["partner_abuse_women_survey_year"] == "YE Mar 2020"
    assert records["partner_abuse_women_age_range"] == "16-74"
    assert records["partner_abuse_women_population"] == census_population(area, "female", 16, 74)
    assert records["partner_abuse_women_estimate"] == pytest.approx(expected, rel=1e-4)
    assert "Women 16-74 (sum of the bands)" in outputs_text(path)


def test_england_runs_without_a_region_or_comparator(england):
    _, records = england
    expected = expected_values("England", None)
    assert records["area_code"] == "E92000001" and records["region_per_100k_adults"] is None
    assert records["estimate_adults"] == pytest.approx(expected["estimate_adults"], rel=1e-12)
    assert records["england_per_100k_adults"] == records["estimate_per_100k_adults"]


def test_unknown_survey_year_stops_the_notebook_with_the_available_years(runs):
    import papermill

    error = runs["unknown_survey_year"]  # run_notebook("01_prevalence", ..., survey_year="YE Mar 1999")
    assert isinstance(error, papermill.PapermillExecutionError), error
    assert "ParameterError" in error.ename and "YE Mar 1999" in error.evalue
    assert "YE Mar 2020" in error.evalue


# ------------------------------------------------------------------------------------------
# Groups who may need specialist support, and deprivation: by hand from the raw files
# ------------------------------------------------------------------------------------------


def _districts(code: str) -> list[str]:
    """2021 districts of an authority (raw ONS lookup), of a region (processed areas table) or England."""
    if code.startswith("E12"):
        areas = tables.read_table("areas")
        return sorted(areas.loc[areas["region_code"] == code, "ltla_code"])
    return districts_of(code)


@cache
def _raw_cells(source_id: str) -> pd.DataFrame:
    raw = raw_csv(source_id)
    category = next(c for c in raw.columns if c.endswith("categories)"))
    return pd.DataFrame(
        {"ltla": raw["Lower Tier Local Authorities Code"], "label": raw[category], "n": raw["Observation"]}
    )


def hand_groups(code: str) -> dict[str, tuple[int, float]]:
    """(residents, share) of each group, summed by hand from the raw TS021 and TS038 cells by label."""
    out = {}
    for source_id, groups in (
        ("census2021_ts021_ltla21_ethnic_group", ("ethnic_minority", "ethnic_minority_not_white")),
        ("census2021_ts038_ltla21_disability", ("disabled",)),
    ):
        cells = _raw_cells(source_id)
        cells = cells[cells["ltla"].isin(_districts(code)) & (cells["label"] != "Does not apply")]
        total = int(cells["n"].sum())
        chosen = {
            "ethnic_minority": cells["label"] != "White: English, Welsh, Scottish, Northern Irish or British",
            "ethnic_minority_not_white": ~cells["label"].str.startswith("White:"),
            "disabled": cells["label"].str.startswith("Disabled under the Equality Act"),
        }
        for group in groups:
            count = int(cells.loc[chosen[group], "n"].sum())
            out[group] = (count, count / total)
    return out


@cache
def hand_deprivation() -> pd.Series:
    """IMD average score of every upper-tier authority, region and England: raw File 10 district scores
    weighted by raw TS009 residents (a 2021 district's residents shared equally among the 2019 districts it
    replaced), with the processed district table only for which district lies where."""
    scores = raw_csv("iod2019_lad19_summaries")
    scores = scores[scores["index_domain"] == IMD].set_index("lad19cd")["average_score"]
    ts009 = raw_csv("census2021_ts009_ltla21_sya").groupby("Lower Tier Local Authorities Code")["Observation"].sum()
    where = tables.read_table("deprivation_districts").drop_duplicates("lad19_code")
    where = where[["lad19_code", "ltla21_code", "utla_code", "region_code"]].copy()
    where["weight"] = where["ltla21_code"].map(ts009) / where.groupby("ltla21_code")["lad19_code"].transform("size")
    where["weighted"] = where["weight"] * where["lad19_code"].map(scores)
    where["country"] = config.ENGLAND_CODE
    means = [where.groupby(key)["weighted"].sum() / where.groupby(key)["weight"].sum() for key in ("utla_code",
             "region_code", "country")]  # fmt: skip
    return pd.concat(means)


def hand_rank(code: str) -> int:
    utla = hand_deprivation()[lambda s: ~s.index.str.startswith(("E12", "E92"))]
    assert len(utla) == 152
    return int((utla > utla[code]).sum()) + 1


def _percent(share: float) -> str:
    return report.format_number(share * 100, 1) + "%"


@pytest.mark.parametrize("run, code", [("hampshire", HAMPSHIRE), ("birmingham", BIRMINGHAM)])
def test_groups_section_shows_the_authoritys_own_census_figures(request, run, code):
    path, records = request.getfixturevalue(run)
    mine, region, england = hand_groups(code), hand_groups(REGIONS[code][0]), hand_groups(config.ENGLAND_CODE)
    for group in ("ethnic_minority", "ethnic_minority_not_white", "disabled"):
        assert records[f"{group}_residents"] == mine[group][0], group
        assert records[f"{group}_share"] == pytest.approx(mine[group][1], rel=1e-12), group
        assert records[f"region_{group}_share"] == pytest.approx(region[group][1], rel=1e-12), group
        assert records[f"england_{group}_share"] == pytest.approx(england[group][1], rel=1e-12), group
    assert records["groups_census_date"] == "2021-03-21"
    text = outputs_text(path)
    assert "## Groups who may need specialist support" in _markdown(path)
    region_name = REGIONS[code][1]
    for group in ("ethnic_minority", "disabled"):
        count, share = mine[group]
        assert f"{report.format_number(count)}, {_percent(share)} of usual residents ({region_name} " in text
        assert f"{region_name} {_percent(region[group][1])}, England {_percent(england[group][1])}" in text
    # the national evidence, cited to the steering group report's paragraphs
    assert "black and minoritised victims 11,660" in text and "disabled victims 5,730" in text
    assert "paragraphs 68-70 (Annual progress report of the Domestic Abuse Safe Accommodation National Expert " in text
    # plainly residents, not victims, and which Census categories count
    assert "not counts of victims" in text and "The bars size resident groups, not victims." in text
    assert "every ethnic group except 'White: English, Welsh, Scottish, Northern Irish or British'" in text
    assert "day-to-day activities limited a lot or a little" in text


@pytest.mark.parametrize("run, code", [("hampshire", HAMPSHIRE), ("birmingham", BIRMINGHAM)])
def test_deprivation_section_shows_the_workspaces_score_and_rank(request, run, code):
    path, records = request.getfixturevalue(run)
    scores = hand_deprivation()
    region_code, region_name = REGIONS[code]
    assert records["deprivation_average_score"] == pytest.approx(scores[code], rel=1e-12)
    assert records["deprivation_rank"] == hand_rank(code) and records["deprivation_ranked_among"] == 152
    assert records["region_deprivation_average_score"] == pytest.approx(scores[region_code], rel=1e-12)
    assert records["england_deprivation_average_score"] == pytest.approx(scores[config.ENGLAND_CODE], rel=1e-12)
    assert records["deprivation_year"] == "2019" and "computed by this workspace" in records["deprivation_computed_by"]
    text = outputs_text(path)
    assert (
        f"average score on the Index of Multiple Deprivation 2019 is {report.format_number(scores[code], 1)}, "
        f"ranked {hand_rank(code)} of 152 upper-tier authorities (1 = most deprived); "
        f"{region_name} {report.format_number(scores[region_code], 1)}, "
        f"England {report.format_number(scores[config.ENGLAND_CODE], 1)}"
    ) in text
    assert "not MHCLG's own upper-tier summary (File 11)" in text
    assert "It does not show how many residents experience domestic abuse" in text
    assert "English Indices of Deprivation 2019, File 10" in text  # the source is listed


def test_a_single_district_says_its_score_is_mhclgs_own(birmingham, hampshire):
    raw = raw_csv("iod2019_lad19_summaries")
    published = raw.loc[(raw["lad19cd"] == BIRMINGHAM) & (raw["index_domain"] == IMD), "average_score"].item()
    assert birmingham[1]["deprivation_average_score"] == published
    assert "Birmingham is a single district, so its score is MHCLG's own district average score" in outputs_text(
        birmingham[0]
    )
    assert "population-weighted mean of the average scores of its 11 districts" in outputs_text(hampshire[0])


def _markdown(path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
