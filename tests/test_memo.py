"""analysis.data.memo: results computed once per process, and recomputed whenever their data change.

Expected values are computed independently here (from the processed tables, or by calling
the function with memoisation turned off), never typed in.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import config
from analysis.data import memo, tables
from analysis.methods import indicators, population, prevalence

HAMPSHIRE = "E10000014"


@pytest.fixture
def counted(monkeypatch):
    """A memoised fixture function of the population table that counts its real calls."""
    calls = []

    @memo.memoize("population")
    def fixture_total(code: str, min_age: int = 0) -> pd.DataFrame:
        calls.append((code, min_age))
        pop = tables.read_table("population")
        rows = pop[(pop["area_code"] == code) & (pop["sex"] == "persons") & (pop["age"] >= min_age)]
        return pd.DataFrame({"area_code": [code], "population": [rows["population"].sum()]})

    return fixture_total, calls


def test_a_result_is_computed_once_for_the_same_arguments_and_tables(counted):
    fixture_total, calls = counted
    first = fixture_total(HAMPSHIRE)
    second = fixture_total(HAMPSHIRE)
    assert calls == [(HAMPSHIRE, 0)]
    pd.testing.assert_frame_equal(first, second)
    fixture_total(HAMPSHIRE, min_age=16)
    fixture_total(HAMPSHIRE, 16)  # positional and keyword are separate keys, each computed once
    assert len(calls) == 3


def test_what_a_caller_changes_never_reaches_the_next_caller(counted):
    fixture_total, _ = counted
    first = fixture_total(HAMPSHIRE)
    expected = first["population"].iloc[0]
    first.loc[0, "population"] = -1
    first["extra"] = "changed"
    first.columns.name = "changed"
    again = fixture_total(HAMPSHIRE)
    assert again["population"].iloc[0] == expected and "extra" not in again and again.columns.name is None


def test_a_replaced_table_is_a_miss(counted, monkeypatch):
    fixture_total, calls = counted
    real = tables.read_table("population")
    fixture_total(HAMPSHIRE)
    fixture_doubled = real.assign(population=real["population"] * 2)
    monkeypatch.setattr(tables, "read_table", lambda name: fixture_doubled if name == "population" else real)
    doubled = fixture_total(HAMPSHIRE)
    assert len(calls) == 2
    expected = real.loc[(real["area_code"] == HAMPSHIRE) & (real["sex"] == "persons"), "population"].sum() * 2
    assert doubled["population"].iloc[0] == expected


def test_memo_can_be_turned_off_and_unhashable_arguments_are_not_memoised(counted, monkeypatch):
    fixture_total, calls = counted
    monkeypatch.setenv(memo.ENV, "0")
    fixture_total(HAMPSHIRE)
    fixture_total(HAMPSHIRE)
    assert len(calls) == 2
    monkeypatch.setenv(memo.ENV, "1")

    @memo.memoize("population")
    def fixture_count(codes) -> int:
        calls.append(tuple(codes))
        return len(codes)

    assert fixture_count([HAMPSHIRE]) == 1 and fixture_count([HAMPSHIRE]) == 1
    assert calls[-2:] == [(HAMPSHIRE,), (HAMPSHIRE,)]  # a list cannot be a key: computed each time


def test_exceptions_are_not_remembered():
    attempts = []

    @memo.memoize("population")
    def fixture_flaky() -> int:
        attempts.append(1)
        if len(attempts) == 1:
            raise ValueError("fixture failure")
        return len(attempts)

    with pytest.raises(ValueError):
        fixture_flaky()
    assert fixture_flaky() == 2 and fixture_flaky() == 2


def test_memoised_package_results_equal_unmemoised_ones(monkeypatch):
    memoised = {
        "population": population.total_population([HAMPSHIRE, "E12000008", config.ENGLAND_CODE], min_age=16),
        "rows": population.get_population(HAMPSHIRE, sex="female", min_age=14, max_age=18),
        "years": prevalence.list_survey_years(),
        "indicator": indicators.compute_indicator("adults_experiencing_da"),
    }
    monkeypatch.setenv(memo.ENV, "0")
    plain = {
        "population": population.total_population([HAMPSHIRE, "E12000008", config.ENGLAND_CODE], min_age=16),
        "rows": population.get_population(HAMPSHIRE, sex="female", min_age=14, max_age=18),
        "years": prevalence.list_survey_years(),
        "indicator": indicators.compute_indicator("adults_experiencing_da"),
    }
    for key in memoised:
        if isinstance(memoised[key], pd.Series):
            pd.testing.assert_series_equal(memoised[key], plain[key])
        else:
            pd.testing.assert_frame_equal(memoised[key], plain[key])
    # and against the table itself, by hand
    pop = tables.read_table("population")
    by_hand = pop[(pop["area_code"] == HAMPSHIRE) & (pop["sex"] == "persons") & (pop["age"] >= 16)]["population"].sum()
    assert memoised["population"][HAMPSHIRE] == by_hand


def test_results_follow_a_rebuild_of_the_processed_data(built_project_copy):
    """Edit an authored crime survey rate, rebuild: the memoised survey years and estimates change."""
    from analysis.data import build

    before = prevalence.select_rates()
    year = before["survey_year"].iloc[0]
    estimate_before = prevalence.estimate_adults(HAMPSHIRE)["estimate"].sum()
    assert prevalence.select_rates()["rate_percent"].tolist() == before["rate_percent"].tolist()
    path = built_project_copy / "data" / "raw" / "authored" / "csew_prevalence_rates.csv"
    rates = pd.read_csv(path, dtype=str, keep_default_na=False)
    rows = (
        (rates["survey_year"] == year)
        & (rates["sex"] == "female")
        & (rates["measure"] == "any_domestic_abuse")
        & (rates["measure_version"] == before["measure_version"].iloc[0])
        & (rates["geography_code"] == "K04000001")
    )
    assert rows.sum() >= 1
    old = float(rates.loc[rows, "percent"].iloc[0])
    rates.loc[rows, "percent"] = f"{old + 1:g}"
    rates.to_csv(path, index=False)
    _rehash("authored/csew_prevalence_rates.csv")
    build.build_tables(report=lambda message: None)
    after = prevalence.select_rates()
    female = after[after["sex"] == "female"]["rate_percent"].iloc[0]
    assert female == pytest.approx(old + 1)
    assert prevalence.estimate_adults(HAMPSHIRE)["estimate"].sum() > estimate_before


def _rehash(relative: str) -> None:
    """Record the new checksum of an edited authored table (what `analysis data hash` does)."""
    from analysis.data import sources

    sources.update_manifest_checksum(relative)


def test_indicators_follow_a_change_of_local_data(built_project_copy):
    """Council files are read directly: a new supply.csv changes the memoised indicator at once."""
    code = "E06000045"  # Southampton ships referrals only, no supply.csv
    before = indicators.compute_indicator("refuge_places_available").set_index("area_code")
    assert not before.loc[code, "has_data"]
    folder = config.LOCAL_DIR / code
    folder.mkdir(parents=True, exist_ok=True)
    (folder / config.LOCAL_SUPPLY_FILE).write_text(
        "period,accommodation_type,provider,properties,bedspaces,child_spaces,accessible_bedspaces,restrictions,"
        "source,notes\n2021,refuge,fixture provider,2,17,,,,fixture source,\n",
        encoding="utf-8",
    )
    after = indicators.compute_indicator("refuge_places_available").set_index("area_code")
    assert after.loc[code, "has_data"] and after.loc[code, "numerator"] == 17
    people = population.total_population(code).iloc[0]
    assert after.loc[code, "rate_per_100k"] == pytest.approx(17 / people * 100_000)
