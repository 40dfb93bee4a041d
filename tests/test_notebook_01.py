"""notebooks/01_prevalence.ipynb executed headless with papermill: its recorded headline values
equal the package's, for two authorities and England, and a bad parameter stops it with a clear error.

Each execution runs once per module (module-scoped fixtures) and is shared by the tests.
"""

from __future__ import annotations

import json

import pytest

from analysis.methods import prevalence
from analysis.present import prevalence as show
from analysis.present import report

from .conftest import census_population, run_notebook
from .test_prevalence_bands import sdg_women_partner_abuse_by_age

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def hampshire(tmp_path_factory):
    """Default parameters: Hampshire, the latest survey year with rates by sex."""
    return run_notebook("01_prevalence", tmp_path_factory.mktemp("hampshire"))


@pytest.fixture(scope="module")
def southampton(tmp_path_factory):
    """Another authority, by name, with an earlier survey year (16-74) and no rounding."""
    return run_notebook(
        "01_prevalence",
        tmp_path_factory.mktemp("southampton"),
        area="Southampton",
        survey_year="YE Mar 2020",
        round_to=1,
    )


@pytest.fixture(scope="module")
def england(tmp_path_factory):
    return run_notebook("01_prevalence", tmp_path_factory.mktemp("england"), area="England")


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


def test_unknown_survey_year_stops_the_notebook_with_the_available_years(tmp_path):
    import papermill

    with pytest.raises(papermill.PapermillExecutionError) as info:
        run_notebook("01_prevalence", tmp_path, survey_year="YE Mar 1999")
    assert "ParameterError" in info.value.ename and "YE Mar 1999" in info.value.evalue
    assert "YE Mar 2020" in info.value.evalue
