"""Local supply and referral files: the shipped worked examples, and every way a file can be wrong.

Tests that write files work in a temporary project (``project_copy``) with the real processed
tables copied in; the files they write are fixtures, named ``fixture_...`` in their content.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis import config
from analysis.data import local_data
from analysis.errors import AreaError, ValidationError
from analysis.methods import areas, council_data
from analysis.present import council_data as council_text

from .conftest import REAL_ROOT

SUPPLY_HEADER = (
    "period,accommodation_type,provider,properties,bedspaces,child_spaces,accessible_bedspaces,"
    "restrictions,source,notes"
)
REFERRALS_HEADER = "period,measure,category,count,percent,percent_of,rank,source,notes"
HAMPSHIRE = "E10000014"
ISLE_OF_WIGHT = "E06000046"


@pytest.fixture
def local_project(project_copy) -> Path:
    """A project copy with the real processed tables, so areas resolve without a rebuild."""
    for path in (REAL_ROOT / "data" / "processed").iterdir():
        if path.is_file() and not path.name.startswith("."):
            shutil.copyfile(path, project_copy / "data" / "processed" / path.name)
    return project_copy


def write_local(root: Path, code: str, name: str, text: str | bytes) -> Path:
    folder = root / "data" / "raw" / "local" / code
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def load(code: str) -> local_data.LocalData:
    return council_data.load_local_data(areas.resolve_area(code))


def refusal(root: Path, name: str, header: str, rows: list[str]) -> ValidationError:
    """Write a fixture local file for the Isle of Wight and return the error loading it raises."""
    write_local(root, ISLE_OF_WIGHT, name, "\n".join([header, *rows]) + "\n")
    with pytest.raises(ValidationError) as info:
        load(ISLE_OF_WIGHT)
    return info.value


# ------------------------------------------------------------------------------------------
# The shipped worked examples
# ------------------------------------------------------------------------------------------


def test_hampshire_example_validates_and_keeps_what_the_sources_give():
    local = load(HAMPSHIRE)
    raw = pd.read_csv(REAL_ROOT / "data" / "raw" / "local" / HAMPSHIRE / "supply.csv", dtype=str)
    refuge = local.supply[local.supply["accommodation_type"] == "refuge"].iloc[0]
    raw_refuge = raw[raw["accommodation_type"] == "refuge"].iloc[0]
    assert refuge["bedspaces"] == int(raw_refuge["bedspaces"]) == 92
    assert refuge["child_spaces"] == int(raw_refuge["child_spaces"])
    assert refuge["line"] == 2
    # a stated zero stays zero; a count the source does not give stays missing
    dispersed = local.supply[local.supply["accommodation_type"] == "dispersed"].iloc[0]
    assert dispersed["bedspaces"] == 0
    assert local.supply.loc[local.supply["accommodation_type"] == "sanctuary_scheme", "bedspaces"].isna().all()


SHIPPED = [
    (HAMPSHIRE, "supply.csv"),
    (HAMPSHIRE, "referrals.csv"),
    ("E06000045", "referrals.csv"),
    (HAMPSHIRE, "part4_accommodation.csv"),
    (HAMPSHIRE, "part4_referrals.csv"),
    (HAMPSHIRE, "part4_specialist.csv"),
]


def test_every_committed_local_file_is_a_listed_worked_example():
    """Files git tracks (or would add) under data/raw/local are the examples above, each in the manifest."""
    import subprocess

    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "data/raw/local"],
        cwd=REAL_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert sorted(listed) == sorted(f"data/raw/local/{code}/{name}" for code, name in SHIPPED)


@pytest.mark.parametrize("code, name", SHIPPED)
def test_every_shipped_local_row_cites_a_seed_document_and_is_in_the_manifest(code, name):
    from analysis.data import sources

    table = pd.read_csv(REAL_ROOT / "data" / "raw" / "local" / code / name, dtype=str, encoding="utf-8-sig")
    assert table["source"].str.contains(r"\d{3}_[0-9a-f]{16}\.txt", regex=True).all()
    assert table["source"].str.contains("section|Key facts", regex=True).all()
    entry = next(item for item in sources.load_manifest() if item.path == f"local/{code}/{name}")
    assert entry.kind == "local_example"


def test_hampshire_part4_example_holds_only_what_the_strategy_states():
    """Hampshire strategy 2021-2023 (000_41c104a8a2dac83f.txt): section 5.2 (92 refuge spaces for victims;
    dispersed 'None'; 5 dedicated move-on properties), 5.3 (no specialist refuge), 5.1 (342 referrals for
    refuge unsuccessful or declined in 2020/21). Nothing else is given as a count."""
    local = load(HAMPSHIRE)
    filled = council_data.part4_filled(local)
    assert sorted(filled) == ["part4_accommodation.csv", "part4_referrals.csv"]
    beds = filled["part4_accommodation.csv"].set_index("key")
    assert beds["count"].to_dict() == {
        "accommodation_type/refuge": 92,
        "accommodation_type/specialist_by_and_for": 0,
        "accommodation_type/dispersed": 0,
        "accommodation_type/second_stage_move_on": 5,
    }
    assert set(beds["period"]) == {"2021"}
    referrals = filled["part4_referrals.csv"]
    assert referrals[["key", "count", "period"]].values.tolist() == [["referrals/not_supported", 342, "2020-21"]]
    assert council_data.part4_small_counts(local).empty
    # rows without a count say why in their notes (a share or a rank the strategy gives, or 'not stated')
    for table in local.part4.values():
        blank = table[table["count"].isna()]
        assert blank["notes"].notna().all() and blank["source"].notna().all()
    specialist = local.part4["part4_specialist.csv"].set_index("category")["notes"]
    assert "6.9%" in specialist["drug"] and "4%" in specialist["alcohol"] and "20%" in specialist["disabled"]


def test_southampton_example_stores_percentages_without_inventing_a_denominator():
    local = load("E06000045")
    assert local.supply is None
    referrals = local.referrals
    assert referrals["count"].isna().all()
    assert "received" not in set(referrals["measure"])
    reason = referrals[referrals["measure"] == "decline_reason"].iloc[0]
    assert (reason["category"], reason["percent"], reason["percent_of"], reason["rank"]) == (
        "lack of space",
        20.0,
        "not_stated",
        1,
    )


def test_an_area_without_a_local_folder_is_not_an_error():
    local = load(ISLE_OF_WIGHT)
    assert (local.supply, local.referrals, local.has_any) == (None, None, False)
    gaps = council_text.local_data_gaps(local)
    assert any(f"data/raw/local/{ISLE_OF_WIGHT}/supply.csv" in g for g in gaps)
    assert any(f"data/raw/local/{ISLE_OF_WIGHT}/referrals.csv" in g for g in gaps)


def test_gaps_name_the_missing_counts_of_a_partial_file():
    gaps = " ".join(council_text.local_data_gaps(load(HAMPSHIRE)))
    assert "Other emergency accommodation" in gaps  # no row for this type
    assert "Second stage / move-on" in gaps  # properties given, bedspaces not
    assert "Referrals received" in gaps  # shares have no denominator
    assert "supply.csv`" not in gaps.split("Supply by type")[0]  # supply itself is present


# ------------------------------------------------------------------------------------------
# Malformed files
# ------------------------------------------------------------------------------------------

MALFORMED = {
    "supply-cells": (
        "supply.csv",
        SUPPLY_HEADER,
        [
            "2022,refuge,fixture_provider_a,2,twelve,10,,women only,fixture source,",
            "2022,refuge_plus,fixture_provider_b,1,5,,,,fixture source,",
            "2022,dispersed,fixture_provider_c,1,3,-3,,,fixture source,",
            "2022,dispersed,fixture_provider_d,2.5,2,,,,fixture source,",
            "22/23,sanctuary_scheme,fixture_provider_e,,4,,,,fixture source,",
        ],
        [
            "line 2, column 'bedspaces', value 'twelve': is not a valid number",
            "line 3, column 'accommodation_type', value 'refuge_plus'",
            "line 4, column 'child_spaces', value -3.0: must be >= 0",
            "line 5, column 'properties', value 2.5: fails whole number required",
            "line 6, column 'period', value '22/23'",
        ],
    ),
    "supply-rows": (
        "supply.csv",
        SUPPLY_HEADER,
        [
            "2022,refuge,fixture_provider,2,12,10,14,,fixture source,",
            "2022,refuge,fixture_provider,2,12,10,1,,fixture source,",
        ],
        [
            "line 3 repeats line 2 (period '2022', accommodation_type 'refuge', provider 'fixture_provider')",
            "line 2, column 'accessible_bedspaces', value 14: more than the row's bedspaces (12)",
        ],
    ),
    "referrals-cells": (
        "referrals.csv",
        REFERRALS_HEADER,
        [
            "2022-23,received,,100,,,,fixture source,",
            "2022-23,accepted,,many,,,,fixture source,",
            "2022-23,declined,,40,,,,fixture source,",
            "2022-23,from_outside_area,,30,130,,,fixture source,",
        ],
        [
            "line 3, column 'count', value 'many': is not a valid number",
            "line 4, column 'measure', value 'declined'",
            "line 5, column 'percent', value 130.0: must be <= 100",
        ],
    ),
    "referrals-rows": (
        "referrals.csv",
        REFERRALS_HEADER,
        [
            "2022-23,received,all,100,,,,fixture source,",
            "2022-23,declined_or_unsuccessful,all,60,30,received,,fixture source,",
            "2022-23,from_outside_area,all,120,,,,fixture source,",
            "2022-23,risk_level,very high,10,,,,fixture source,",
            "2022-23,decline_reason,,5,,,,fixture source,",
            "2022-23,accepted,all,,,,,fixture source,",
            "2022-23,received,all,100,,,,fixture source,",
        ],
        [
            "line 8 repeats line 2 (period '2022-23', measure 'received', category 'all')",
            "line 3, column 'percent', value 30: 60 of 100 received (line 2) is 60.0%",
            "line 4, column 'count', value 120: more than the 100 received in 2022-23 (line 2)",
            "line 5, column 'category', value 'very high': a risk_level row needs one of high, medium, standard",
            "line 6, column 'category', value 'all': a decline_reason row names the reason",
            "line 7: no count, percent or rank",
        ],
    ),
}


@pytest.mark.parametrize("name, header, rows, expected", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_local_file_names_file_line_column_value(local_project, name, header, rows, expected):
    error = refusal(local_project, name, header, rows)
    assert str(error).startswith(f"data/raw/local/{ISLE_OF_WIGHT}/{name} failed validation:")
    for line in expected:
        assert f"  - {line}" in str(error)
    assert "README" in error.hint


def test_cell_errors_hint_at_how_counts_and_periods_are_written(local_project):
    error = refusal(
        local_project, "supply.csv", SUPPLY_HEADER, ["2022,refuge,fixture_provider,1,-2,,,,fixture source,"]
    )
    assert "whole numbers of 0 or more" in error.hint and "2020-21" in error.hint


def test_unknown_column_is_named_with_the_closest_known_one(local_project):
    write_local(
        local_project,
        ISLE_OF_WIGHT,
        "supply.csv",
        "period,accommodation_type,provider,bedspace,source\n2022,refuge,fixture_provider,4,fixture source\n",
    )
    with pytest.raises(ValidationError, match=r"unknown column 'bedspace' \(did you mean 'bedspaces'\?\)"):
        load(ISLE_OF_WIGHT)


def test_missing_column_is_named(local_project):
    write_local(
        local_project, ISLE_OF_WIGHT, "referrals.csv", "period,measure,category,count\n2022-23,received,all,10\n"
    )
    with pytest.raises(ValidationError, match="missing column 'source'"):
        load(ISLE_OF_WIGHT)


# ------------------------------------------------------------------------------------------
# Encodings, empty files, tidy-up of what spreadsheets write
# ------------------------------------------------------------------------------------------


def test_byte_order_mark_blank_lines_spaces_and_capitals_just_work(local_project):
    text = (
        "Period, Accommodation_Type ,provider,properties,bedspaces,child_spaces,accessible_bedspaces,source\n"
        "2022 , refuge ,fixture_provider, 2 , 12 ,,, fixture source\n\n"
        "2022,dispersed,fixture_provider,3,3,,,fixture source\n"
    )
    write_local(local_project, ISLE_OF_WIGHT, "supply.csv", b"\xef\xbb\xbf" + text.encode("utf-8"))
    supply = load(ISLE_OF_WIGHT).supply
    assert supply["bedspaces"].tolist() == [12, 3]
    assert supply["accommodation_type"].tolist() == ["refuge", "dispersed"]
    assert supply["line"].tolist() == [2, 4]  # file lines, blank line skipped
    assert supply["restrictions"].isna().all() and supply["notes"].isna().all()  # optional columns


def test_windows_1252_file_asks_for_utf8(local_project):
    text = REFERRALS_HEADER + "\n2022-23,decline_reason,no space – fixture,,,,1,fixture source,\n"
    write_local(local_project, ISLE_OF_WIGHT, "referrals.csv", text.encode("cp1252"))
    with pytest.raises(ValidationError) as info:
        load(ISLE_OF_WIGHT)
    assert "referrals.csv is not UTF-8 text: byte 0x96 on line 2" in str(info.value)
    assert "CSV UTF-8" in info.value.hint


@pytest.mark.parametrize(
    "content, message, fix",
    [
        (b"", "is empty", "delete the file"),
        (b"\xef\xbb\xbf\n  \n", "is empty", "delete the file"),
        ((REFERRALS_HEADER + "\n\n").encode(), "has a header line but no rows", "delete the file"),
        (
            REFERRALS_HEADER.replace(",", ";").encode() + b"\n2022-23;received;all;10;;;;fixture source;\n",
            "separates its columns with semicolons",
            "Comma delimited",
        ),
    ],
)
def test_empty_or_unreadable_files_are_refused_with_a_fix(local_project, content, message, fix):
    write_local(local_project, ISLE_OF_WIGHT, "referrals.csv", content)
    with pytest.raises(ValidationError, match=message) as info:
        load(ISLE_OF_WIGHT)
    assert fix in info.value.hint


def test_other_files_in_the_folder_are_reported_not_read(local_project):
    write_local(local_project, ISLE_OF_WIGHT, "supply.xlsx", b"fixture")
    local = load(ISLE_OF_WIGHT)
    assert local.other_files == ("supply.xlsx",)
    assert any("supply.xlsx` was not read" in g for g in council_text.local_data_gaps(local))


# ------------------------------------------------------------------------------------------
# Folder names
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "folder, expected",
    [
        ("E07000084", "Use its upper-tier authority Hampshire (E10000014)"),  # Basingstoke and Deane (district)
        ("E10999999", "not a known area code"),
        ("Hampshire", "Rename the folder to E10000014 (Hampshire)"),
        ("e10000014", "Rename the folder to E10000014"),
        ("E12000008", "is a region, which does not hold the Part 4 duty"),
    ],
)
def test_a_misnamed_local_folder_says_how_to_rename_it(local_project, folder, expected):
    write_local(local_project, folder, "supply.csv", SUPPLY_HEADER + "\n")
    with pytest.raises(AreaError) as info:
        load(ISLE_OF_WIGHT)  # any area: every folder is checked, so none is silently ignored
    assert f"data/raw/local/{folder}" in info.value.message
    assert expected in str(info.value)


def test_london_as_a_whole_may_hold_local_data(local_project):
    write_local(
        local_project,
        config.LONDON_CODE,
        "supply.csv",
        SUPPLY_HEADER + "\n2022,refuge,fixture_provider,1,8,,,,fixture source,\n",
    )
    local = council_data.load_local_data(areas.resolve_area(config.LONDON_CODE, levels=("region",)))
    assert local.supply["bedspaces"].tolist() == [8]
