"""Processed build: checks against the shipped raw files, determinism, incrementality, validation,
and the engine (step registry, code fingerprint, what each step is told)."""

from __future__ import annotations

import dataclasses
import shutil

import pandas as pd
import pytest

from analysis import config
from analysis.data import build, steps, tables
from analysis.data.steps import Step, StepInputs
from analysis.errors import DataFileError, ParameterError, ValidationError

from .conftest import census_population, copy_built_data, copy_project_data, districts_of, ts009_cells


@pytest.fixture(scope="module")
def population():
    return tables.read_table("population")


@pytest.fixture(scope="module")
def areas():
    return tables.read_table("areas")


@pytest.fixture(scope="module")
def authorities():
    return tables.read_table("authorities")


def _total(pop: pd.DataFrame, code: str, sex: str = "persons") -> float:
    return pop[(pop["area_code"] == code) & (pop["sex"] == sex)]["population"].sum()


def test_england_population_equals_the_census_ts009_total_exactly(population):
    cells = ts009_cells()
    source_england = int(cells.loc[cells["ltla_code"].str.startswith("E"), "population"].sum())
    assert source_england == 56_490_040  # ONS Census 2021, usual residents of England
    assert _total(population, config.ENGLAND_CODE) == source_england


def test_female_plus_male_equals_persons_for_every_area_and_age(population):
    wide = population.pivot_table(index=["area_code", "age"], columns="sex", values="population", aggfunc="sum")
    assert (wide["persons"] == wide["female"] + wide["male"]).all()


def test_every_row_is_observed_census_2021_ts009(population):
    assert population["sex_basis"].nunique() == 1
    basis = population["sex_basis"].iloc[0]
    assert basis.startswith("observed") and "Census 2021" in basis and "TS009" in basis
    assert set(population["source_id"]) == {"census2021_ts009_ltla21_sya"}
    assert set(population["year"]) == {2021}


@pytest.mark.parametrize(
    "code, published",
    [("E10000014", 1_400_898), ("E06000045", 248_924), ("E06000046", None)],
)
def test_named_authorities_are_the_sum_of_their_district_cells(population, code, published):
    by_hand = census_population(code)
    if published is not None:  # the ONS Census 2021 figures SOURCES.md lists
        assert by_hand == published
    assert _total(population, code) == by_hand
    for sex in ("female", "male"):
        assert _total(population, code, sex) == census_population(code, sex)


def test_southampton_and_isle_of_wight_single_years_match_the_district_cells(population):
    cells = ts009_cells()
    for code in ("E06000045", "E06000046"):
        mine = cells[cells["ltla_code"] == code]
        for sex in ("female", "male"):
            rows = population[(population["area_code"] == code) & (population["sex"] == sex)].set_index("age")
            expected = mine[mine["sex"] == sex].set_index("age")["population"]
            assert rows["population"].sort_index().tolist() == expected.sort_index().tolist()
            assert rows.loc[90, "population"] == expected[90]  # 90 = "Aged 90 years and over"


def test_hampshire_women_at_every_age_are_the_sum_of_its_11_districts(population):
    districts = districts_of("E10000014")
    assert len(districts) == 11
    cells = ts009_cells()
    women = cells[cells["ltla_code"].isin(districts) & (cells["sex"] == "female")].groupby("age")["population"].sum()
    rows = population[(population["area_code"] == "E10000014") & (population["sex"] == "female")].set_index("age")
    pd.testing.assert_series_equal(rows["population"], women, check_names=False)


def test_every_district_maps_to_exactly_one_upper_tier_authority_and_region(areas):
    assert len(areas) == 309
    assert areas["ltla_code"].is_unique
    assert areas[["utla_code", "region_code"]].notna().all().all()
    assert areas.groupby("utla_code")["region_code"].nunique().max() == 1
    assert areas["region_code"].str.match(r"^E12\d{6}$").all()


def test_upper_tier_authorities_are_the_152_of_the_2021_geography(authorities):
    utla = authorities[authorities["level"] == "utla"]
    assert len(utla) == 152
    assert utla["area_type"].value_counts().to_dict() == {
        "unitary authority": 59,
        "metropolitan district": 36,
        "London borough": 33,
        "county": 24,
    }
    assert (authorities["level"] == "region").sum() == 9


def test_part4_duty_holders(authorities):
    by_code = authorities.set_index("area_code")
    assert by_code.loc["E10000014", "part4_duty_holder_code"] == "E10000014"
    assert by_code.loc["E09000033", "part4_duty_holder_name"] == "Greater London Authority"
    assert by_code.loc["E12000007", "part4_duty_holder_name"] == "Greater London Authority"
    assert pd.isna(by_code.loc["E12000008", "part4_duty_holder_code"])


def test_every_reporting_area_has_a_boundary_and_a_population(authorities, population):
    boundaries = tables.read_table("boundaries")
    assert set(authorities["area_code"]) == set(boundaries["area_code"]) == set(population["area_code"])
    assert boundaries.crs.to_epsg() == 27700
    assert boundaries.geometry.is_valid.all()
    assert set(boundaries.geometry.geom_type) <= {"Polygon", "MultiPolygon"}


def test_region_and_england_polygons_cover_their_authorities(authorities):
    boundaries = tables.read_table("boundaries").set_index("area_code")
    england_area = boundaries.loc[config.ENGLAND_CODE, "area_km2"]
    utla_area = boundaries[boundaries["level"] == "utla"]["area_km2"].sum()
    assert utla_area == pytest.approx(england_area, rel=0.002)
    assert 125_000 < england_area < 135_000  # England is about 130,300 km2


def test_csew_rates_have_one_row_per_figure_with_sources():
    rates = tables.read_table("csew_rates")
    assert not rates.duplicated(build.CSEW_KEY).any()
    assert rates["source_title"].str.len().gt(0).all() and rates["source_url"].str.startswith("http").all()
    row = rates[(rates["survey_year"] == "YE Mar 2020") & (rates["sex"] == "all") & (rates["age_band"] == "16-19")]
    assert row["percent"].tolist() == [9.5]
    women = rates[
        (rates["survey_year"] == "YE Mar 2020")
        & (rates["sex"] == "female")
        & (rates["age_band"] == "16-74")
        & (rates["measure"] == "any_domestic_abuse")
    ]
    assert women["percent"].tolist() == [7.3] and "Also published in" in women["notes"].iloc[0]


@pytest.fixture(scope="module")
def forced_build(tmp_path_factory) -> dict:
    """One forced build of a built project copy, and a build after it, shared by the two tests that
    read what they did (neither changes the copy): ``before`` / ``after`` (each table's bytes before
    and after the forced build), ``written`` (the files it wrote), ``again`` and ``messages`` (what
    the build after it returned and reported).

    The copy is built as ``built_project_copy`` builds it: the real project's build copied in, then
    brought up to date by the build (nothing to do when the real build is current, a real build
    otherwise), so ``before`` was written in another folder by another process."""
    root = copy_built_data(copy_project_data(tmp_path_factory.mktemp("forced-build") / "project"))
    processed = root / "data" / "processed"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(config.ROOT_ENV, str(root))
        patch.delenv(config.MIRROR_ENV, raising=False)
        build.build_tables(report=lambda m: None)
        before = {p.name: p.read_bytes() for p in processed.glob("*.parquet")}
        written = build.build_tables(force=True, report=lambda m: None)
        after = {p.name: p.read_bytes() for p in processed.glob("*.parquet")}
        messages: list[str] = []
        again = build.build_tables(report=messages.append)
    return {"before": before, "written": written, "after": after, "again": again, "messages": messages}


def test_second_build_is_a_no_op_and_force_rebuilds(forced_build):
    assert len(forced_build["written"]) == len(build.TABLES)
    assert forced_build["again"] == []  # the build after the forced one
    assert "up to date" in forced_build["messages"][0]


def test_build_is_deterministic(forced_build):
    """A forced build rewrites every table with the same bytes as the build before it."""
    first, second = forced_build["before"], forced_build["after"]
    assert first.keys() == second.keys() and all(first[k] == second[k] for k in first)


def test_truncated_processed_table_is_rebuilt_on_read(built_project_copy, capsys):
    path = built_project_copy / "data" / "processed" / "population.parquet"
    path.write_bytes(path.read_bytes()[:1000])
    pop = tables.read_table("population")
    assert _total(pop, config.ENGLAND_CODE) == 56_490_040  # Census 2021, England
    assert "rebuilding" in capsys.readouterr().err


def test_deleted_processed_table_is_rebuilt_on_read(built_project_copy):
    (built_project_copy / "data" / "processed" / "authorities.parquet").unlink()
    assert len(tables.read_table("authorities")) == 162


def test_malformed_raw_csv_is_named_with_line_column_and_value(project_copy):
    from analysis.data import schemas
    from analysis.data.steps import census

    path = project_copy / "data" / "raw" / "population" / "census2021_ts009_ltla21_sex_single_year_age.csv"
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    fields = lines[5].split(",")
    fields[header.index("Observation")] = "lots"
    lines[5] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(Exception) as info:  # third-party file: the build refuses before reading it
        build.build_tables(report=lambda m: None)
    assert "census2021_ts009_ltla21_sex_single_year_age.csv has changed" in str(info.value)
    # With the checksum check satisfied (as if a new release were registered), validation names the cell.
    frame = pd.read_csv(path, **census.READ_OPTIONS)
    with pytest.raises(ValidationError) as info:
        schemas.validate_table(frame, census.TS009_SCHEMA, "ts009.csv")
    assert "line 6, column 'Observation', value 'lots': is not a valid number" in str(info.value)


def test_authored_rate_conflicting_with_another_source_is_refused(project_copy):
    from analysis.data import sources

    table = project_copy / "data" / "raw" / "authored" / "csew_prevalence_rates.csv"
    text = table.read_text().replace(
        "YE Mar 2020,female,16-74,any_domestic_abuse,pre-2024,K04000001,7.3",
        "YE Mar 2020,female,16-74,any_domestic_abuse,pre-2024,K04000001,7.9",
    )
    table.write_text(text)
    sources.update_manifest_checksum("authored/csew_prevalence_rates.csv")
    with pytest.raises(ValidationError, match="Conflicting crime survey figures"):
        build.build_tables(report=lambda m: None)


def test_build_failure_keeps_the_previous_tables(built_project_copy):
    from analysis.data import sources

    processed = built_project_copy / "data" / "processed"
    before = {p.name: p.read_bytes() for p in processed.glob("*.parquet")}
    table = built_project_copy / "data" / "raw" / "authored" / "csew_prevalence_rates.csv"
    table.write_text(table.read_text().replace(",5.5,", ",-5.5,"))
    sources.update_manifest_checksum("authored/csew_prevalence_rates.csv")
    with pytest.raises(ValidationError, match=r"column 'percent', value -5.5"):
        build.build_tables(report=lambda m: None)
    after = {p.name: p.read_bytes() for p in processed.glob("*.parquet")}
    assert before == after


# ------------------------------------------------------------------------------------------
# The engine: registry, code fingerprint, what each step is told
# ------------------------------------------------------------------------------------------


def _fixture_step(name, outputs, needs=()):
    return Step(name, (), outputs, lambda given: {}, needs=needs)


def test_every_step_module_is_registered_and_every_table_has_one_step():
    folder = config.PACKAGE_DIR / "data" / "steps"
    with_steps = {p.stem for p in folder.glob("*.py") if "\nSTEPS = " in p.read_text(encoding="utf-8")}
    assert with_steps == set(steps.FAMILIES)  # a module that defines STEPS is a registered family
    assert set(build.TABLES) == {
        "areas", "authorities", "area_changes", "boundaries", "population", "csew_rates",
        "young_people_research", "young_people_local", "children_rates", "safe_accommodation_facts",
        "census_district_residents", "census_groups", "deprivation_districts",
        "homelessness_published", "homelessness", "homelessness_financial_years",
    }  # fmt: skip
    for index, step in enumerate(build.STEPS):
        earlier = {t for s in build.STEPS[:index] for t in s.outputs}
        assert set(step.needs) <= earlier, step.name


def test_registry_refuses_a_need_no_earlier_step_writes_and_a_table_written_twice():
    areas = _fixture_step("fixture_areas", ("fixture_areas",))
    late = _fixture_step("fixture_population", ("fixture_population",), needs=("fixture_areas",))
    assert steps.check_registry([areas, late]) == (areas, late)
    with pytest.raises(ParameterError, match="'fixture_population' needs table 'fixture_areas', which no earlier"):
        steps.check_registry([late, areas])
    with pytest.raises(ParameterError, match="'fixture_areas' is written by both step 'fixture_areas' and step 'x'"):
        steps.check_registry([areas, _fixture_step("x", ("fixture_areas",))])
    with pytest.raises(ParameterError, match="must be a tuple of names"):
        Step("fixture", ["a_list"], ("t",), lambda given: {})


def test_code_fingerprint_covers_every_step_and_schema_module_without_a_list(tmp_path):
    package = tmp_path / "analysis"
    shutil.copytree(config.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    files = {p.relative_to(package).as_posix() for p in build.build_code_files(package)}
    assert {f"data/steps/{family}.py" for family in steps.FAMILIES} <= files
    assert {"data/build.py", "data/steps/base.py", "data/schemas/survey.py", "config.py"} <= files
    before = build.code_fingerprint(package)
    (package / "present" / "plots.py").write_text("# not build code\n")
    assert build.code_fingerprint(package) == before
    (package / "data" / "steps" / "fixture_new_family.py").write_text("STEPS = ()\n")
    after_new_module = build.code_fingerprint(package)
    assert after_new_module != before
    schema = package / "data" / "schemas" / "survey.py"
    schema.write_text(schema.read_text() + "\n# edited\n")
    assert build.code_fingerprint(package) != after_new_module


def test_step_inputs_refuse_a_table_the_step_did_not_declare():
    given = StepInputs({"authorities": pd.DataFrame({"area_code": ["E92000001"]})})
    assert list(given) == ["authorities"] and given.changed == frozenset() and given.previous("x") is None
    with pytest.raises(KeyError, match="'areas' is not among the step's declared needs \\(authorities\\)"):
        given["areas"]


def _spy_on_steps(monkeypatch, offered: dict | None = None) -> dict[str, tuple[frozenset, bool]]:
    """Record, per step, which inputs it was told changed and whether its last outputs were offered
    (and, in ``offered``, the first output table it was offered)."""
    seen: dict[str, tuple[frozenset, bool]] = {}

    def spied(step):
        def run(given):
            previous = given.previous(step.outputs[0])
            seen[step.name] = (given.changed, previous is not None)
            if offered is not None:
                offered[step.name] = previous
            return step.run(given)

        return dataclasses.replace(step, run=run)

    monkeypatch.setattr(build, "STEPS", tuple(spied(step) for step in build.STEPS))
    return seen


def test_each_step_is_told_which_of_its_raw_files_changed(built_project_copy, monkeypatch):
    from analysis.data import sources

    offered: dict = {}
    seen = _spy_on_steps(monkeypatch, offered)
    table = built_project_copy / "data" / "raw" / "authored" / "children_rates.csv"
    text = table.read_text(encoding="utf-8")
    assert text.count("No interval was printed.") >= 1
    table.write_text(text.replace("No interval was printed.", "No interval was printed (fixture edit).", 1))
    sources.update_manifest_checksum("authored/children_rates.csv")
    build.build_tables(report=lambda m: None)
    assert seen["children_rates"] == (frozenset({"children_rates_authored"}), True)
    for name in ("areas", "boundaries", "population", "csew_rates", "young_people", "safe_accommodation_facts"):
        assert seen[name] == (frozenset(), True), name
    assert "fixture edit" not in " ".join(offered["children_rates"]["notes"])
    assert "fixture edit" in " ".join(tables.read_table("children_rates")["notes"])
    assert offered["boundaries"].crs.to_epsg() == 27700  # a GeoParquet table comes back with its geometry

    build.build_tables(force=True, report=lambda m: None)
    for step in build.STEPS:
        assert seen[step.name] == (frozenset(step.source_ids()), False), step.name


def test_a_step_whose_needed_table_may_have_changed_rereads_everything(built_project_copy, monkeypatch):
    seen = _spy_on_steps(monkeypatch)
    (built_project_copy / "data" / "processed" / "areas.parquet").unlink()
    build.build_tables(report=lambda m: None)
    for name in ("areas", "boundaries", "population", "young_people"):
        step = next(s for s in build.STEPS if s.name == name)
        assert seen[name] == (frozenset(step.source_ids()), False), name
    assert seen["csew_rates"] == (frozenset(), True)


def test_a_step_that_returns_other_tables_than_it_declares_stops_the_build(built_project_copy, monkeypatch):
    processed = built_project_copy / "data" / "processed"
    before = {p.name: p.read_bytes() for p in processed.glob("*.parquet")}
    broken = tuple(
        dataclasses.replace(s, run=lambda given: {"wrong_table": pd.DataFrame()}) if s.name == "children_rates" else s
        for s in build.STEPS
    )
    monkeypatch.setattr(build, "STEPS", broken)
    with pytest.raises(DataFileError, match=r"'children_rates' returned \['wrong_table'\], not its declared"):
        build.build_tables(force=True, report=lambda m: None)
    assert {p.name: p.read_bytes() for p in processed.glob("*.parquet")} == before
