"""`analysis local template` and the Part 4 return files: what is written, what is refused, how a
filled file is read and what the report API makes of it.

Tests work in a temporary project (``local_project``, with the real processed tables); every
figure typed into a template here is a fixture (sources say ``fixture source``). The expected
categories are written out from the steering group report (seed document 004, paragraphs cited),
not read from the code that writes them.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from analysis import cli, config
from analysis.errors import AreaError, ValidationError
from analysis.methods import areas, council_data
from analysis.present import council_data as council_text

from .test_local_data import ISLE_OF_WIGHT, SUPPLY_HEADER, local_project, write_local  # noqa: F401

HEADER = ["section", "category", "label", "count", "period", "source", "notes"]
FILES = [
    "part4_accommodation.csv",
    "part4_supported.csv",
    "part4_referrals.csv",
    "part4_specialist.csv",
    "part4_length_of_stay.csv",
    "part4_support_ended.csv",
    "part4_specialist_services.csv",
]


def folder(root: Path, code: str = ISLE_OF_WIGHT) -> Path:
    return root / "data" / "raw" / "local" / code


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def keys(path: Path) -> set[tuple[str, str]]:
    return {(row["section"], row["category"]) for row in rows(path)}


def template(root: Path, *args: str) -> int:
    return cli.main(["local", "template", *args])


def fill(path: Path, values: dict[tuple[str, str], str], period: str = "2023-24") -> None:
    """Type fixture counts into a template, as a council would (the other rows stay blank)."""
    table = rows(path)
    for row in table:
        if (row["section"], row["category"]) in values:
            row.update(count=values[(row["section"], row["category"])], period=period, source="fixture source")
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)


def load(code: str = ISLE_OF_WIGHT):
    return council_data.load_local_data(areas.resolve_area(code))


# ------------------------------------------------------------------------------------------
# What the template command writes
# ------------------------------------------------------------------------------------------


def test_template_writes_every_file_with_the_return_categories(local_project, capsys):
    assert template(local_project, "Isle of Wight") == 0
    out = capsys.readouterr().out
    assert f"data/raw/local/{ISLE_OF_WIGHT}/" in out and f"analysis local check {ISLE_OF_WIGHT}" in out
    written = sorted(p.name for p in folder(local_project).iterdir())
    assert written == sorted([*FILES, "README.txt"])
    for name in FILES:
        path = folder(local_project) / name
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel opens it as CSV UTF-8
        table = rows(path)
        assert list(table[0]) == HEADER
        assert all(row["label"] for row in table)  # every category is named in words
        assert all(row[c] == "" for row in table for c in ("count", "period", "source", "notes"))
    # paragraph 73: refuge bedspaces, and units of the other five types
    accommodation = rows(folder(local_project) / "part4_accommodation.csv")
    types = {row["category"]: row["label"] for row in accommodation if row["section"] == "accommodation_type"}
    assert set(types) == {
        "refuge",
        "dispersed",
        "second_stage_move_on",
        "sanctuary_scheme",
        "specialist_by_and_for",
        "other_emergency",
    }
    assert "bedspaces" in types["refuge"] and "'by and for'" in types["specialist_by_and_for"]
    # paragraphs 42 and 52: individuals by accommodation type and by identity
    supported = keys(folder(local_project) / "part4_supported.csv")
    for section in ("all", "refuge", "dispersed", "sanctuary_scheme"):
        for identity in ("all", "women", "men", "trans_non_binary", "children"):
            assert (section, identity) in supported
    # paragraphs 57-58, 60-61: received, supported, not supported, and the reasons
    referrals = keys(folder(local_project) / "part4_referrals.csv")
    assert {("referrals", "received"), ("referrals", "supported"), ("referrals", "not_supported")} <= referrals
    assert {("reason", "no_capacity"), ("reason", "not_contactable"), ("reason", "declined_offer")} <= referrals
    assert ("need", "no_recourse_to_public_funds") in referrals
    # paragraph 68: the specialist groups of the monitoring form
    specialist = {c for s, c in keys(folder(local_project) / "part4_specialist.csv") if s == "characteristic"}
    assert specialist >= {"black_minoritised", "disabled", "lgbtq", "male", "mental_health", "ex_offender"}
    assert {"aged_16_25", "aged_65_plus", "drug", "alcohol"} <= specialist
    # paragraphs 48-50: four lengths of stay, for refuge/dispersed and specialist separately
    stays = keys(folder(local_project) / "part4_length_of_stay.csv")
    for section in ("refuge_dispersed", "specialist"):
        assert {(section, b) for b in ("under_1_month", "1_to_3_months", "3_to_6_months", "over_6_months")} <= stays
    # paragraphs 86-87: planned or not, and where they went
    ended = keys(folder(local_project) / "part4_support_ended.csv")
    assert {("planned", "planned"), ("planned", "unplanned"), ("circumstance", "with_perpetrator")} <= ended


def test_readme_says_how_to_fill_the_files(local_project):
    assert template(local_project, ISLE_OF_WIGHT) == 0
    readme = (folder(local_project) / "README.txt").read_text(encoding="utf-8")
    assert "Isle of Wight (E06000046)" in readme
    for rule in ("Aggregate counts only", "never records about people", "Blank = not known", "0 = none", "CSV UTF-8"):
        assert rule in readme
    assert all(name in readme for name in FILES)


def test_an_unfilled_template_is_valid_and_reads_as_nothing_known(local_project):
    assert template(local_project, ISLE_OF_WIGHT) == 0
    local = load()
    assert sorted(local.part4) == sorted(FILES)
    assert all(table["count"].isna().all() for table in local.part4.values())
    assert council_data.part4_filled(local) == {}
    assert set(council_data.part4_missing(local)["status"]) == {"not known"}


@pytest.mark.parametrize(
    "typed, code",
    [("isle of wight", ISLE_OF_WIGHT), ("e06000046", ISLE_OF_WIGHT), ("Hampshire County Council", "E10000014")],
)
def test_template_resolves_codes_and_names(local_project, typed, code):
    # --file: Hampshire's folder already holds the worked example's filled templates
    assert template(local_project, *typed.split(), "--file", "part4_supported.csv") == 0
    assert (folder(local_project, code) / "part4_supported.csv").is_file()


def test_template_for_london_as_a_whole_and_not_for_a_district_or_region(local_project, capsys):
    assert template(local_project, "London") == 0
    assert (folder(local_project, config.LONDON_CODE) / "part4_referrals.csv").is_file()
    assert template(local_project, "Winchester") == 1
    err = capsys.readouterr().err
    assert "lower-tier district" in err and "Hampshire (E10000014)" in err
    with pytest.raises(AreaError, match="South East is a region, which does not hold the Part 4 duty"):
        council_data.resolve_local_area("South East")


# ------------------------------------------------------------------------------------------
# Never overwriting
# ------------------------------------------------------------------------------------------


def snapshot(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


def test_template_refuses_to_overwrite_and_names_the_files(local_project, capsys):
    assert template(local_project, ISLE_OF_WIGHT) == 0
    fill(folder(local_project) / "part4_referrals.csv", {("referrals", "received"): "120"})
    before = snapshot(folder(local_project))
    capsys.readouterr()
    assert template(local_project, ISLE_OF_WIGHT) == 1
    err = capsys.readouterr().err
    assert f"data/raw/local/{ISLE_OF_WIGHT}/part4_referrals.csv" in err and "Nothing was written" in err
    assert "--force" in err
    assert snapshot(folder(local_project)) == before
    # --force never replaces a file with figures either, and then writes nothing at all
    assert template(local_project, ISLE_OF_WIGHT, "--force", "--period", "2024-25") == 1
    err = capsys.readouterr().err
    assert f"Not replacing data/raw/local/{ISLE_OF_WIGHT}/part4_referrals.csv" in err
    assert "part4_supported.csv" not in err  # unfilled templates are not the problem
    assert snapshot(folder(local_project)) == before


def test_force_replaces_only_unfilled_templates_and_file_restores_one(local_project):
    assert template(local_project, ISLE_OF_WIGHT, "--period", "2023-24") == 0  # a period alone is not filling in
    assert template(local_project, ISLE_OF_WIGHT, "--force", "--period", "2024-25") == 0
    assert {row["period"] for row in rows(folder(local_project) / "part4_support_ended.csv")} == {"2024-25"}
    fill(folder(local_project) / "part4_referrals.csv", {("referrals", "received"): "120"})
    filled = (folder(local_project) / "part4_referrals.csv").read_bytes()
    (folder(local_project) / "part4_supported.csv").unlink()
    assert template(local_project, ISLE_OF_WIGHT, "--file", "part4_supported.csv") == 0
    assert (folder(local_project) / "part4_supported.csv").is_file()
    assert (folder(local_project) / "part4_referrals.csv").read_bytes() == filled


def test_a_councils_own_readme_and_supply_files_are_left_alone(local_project):
    own_readme = "fixture: our own notes on these figures\n"
    write_local(local_project, ISLE_OF_WIGHT, "README.txt", own_readme)
    supply = write_local(
        local_project,
        ISLE_OF_WIGHT,
        "supply.csv",
        SUPPLY_HEADER + "\n2022,refuge,fixture_provider,1,8,,,,fixture source,\n",
    )
    before = supply.read_bytes()
    assert template(local_project, ISLE_OF_WIGHT, "--force") == 0
    assert (folder(local_project) / "README.txt").read_text(encoding="utf-8") == own_readme
    assert supply.read_bytes() == before
    assert load().supply["bedspaces"].tolist() == [8]  # the existing layout still reads as before


def test_bad_period_or_file_name_is_refused_before_anything_is_written(local_project, capsys):
    assert template(local_project, ISLE_OF_WIGHT, "--period", "23/24") == 1
    assert "period '23/24'" in capsys.readouterr().err
    assert template(local_project, ISLE_OF_WIGHT, "--file", "part4_beds.csv") == 1
    assert "'part4_beds.csv' is not a Part 4 template file" in capsys.readouterr().err
    assert not folder(local_project).exists()


# ------------------------------------------------------------------------------------------
# A filled template feeds the report API
# ------------------------------------------------------------------------------------------


@pytest.fixture
def filled(local_project):
    """Isle of Wight templates with fixture counts in a few rows; the rest left blank."""
    assert template(local_project, ISLE_OF_WIGHT) == 0
    fill(
        folder(local_project) / "part4_referrals.csv",
        {
            ("referrals", "received"): "120",
            ("referrals", "not_supported"): "45",
            ("reason", "no_capacity"): "30",
            ("need", "no_recourse_to_public_funds"): "3",
            ("need", "disability"): "0",
        },
    )
    fill(folder(local_project) / "part4_accommodation.csv", {("accommodation_type", "refuge"): "3"}, period="2024")
    return load()


def test_filled_counts_come_back_in_plain_words(filled):
    frames = council_data.part4_filled(filled)
    assert sorted(frames) == ["part4_accommodation.csv", "part4_referrals.csv"]
    referrals = frames["part4_referrals.csv"]
    assert referrals["item"].tolist()[:3] == [
        "Referrals received",
        "Referrals where the household could not be supported",
        "No space: the service did not have capacity",
    ]
    assert referrals["count"].tolist() == [120, 45, 30, 3, 0]
    assert set(referrals["period"]) == {"2023-24"} and set(referrals["source"]) == {"fixture source"}
    assert referrals["line"].tolist() == [2, 4, 5, 10, 12]  # file lines, for a reader to find the row
    assert "_" not in "".join(referrals["item"]) + "".join(referrals["section"])  # no codes


def test_small_counts_of_people_are_flagged_but_not_places_or_zero(filled):
    small = council_data.part4_small_counts(filled)
    assert small[["item", "count"]].values.tolist() == [["No recourse to public funds", 3]]
    status = council_data.part4_status(filled).set_index("file")
    assert status.loc["part4_referrals.csv", ["filled", "small"]].tolist() == [5, 1]
    tables = {t.file: t for t in council_text.part4_tables(filled, "Isle of Wight")}
    assert tables["part4_referrals.csv"].count_columns == ("count",)
    assert tables["part4_accommodation.csv"].count_columns == ()  # 3 bedspaces is not about people
    assert "Isle of Wight" in tables["part4_referrals.csv"].caption


def test_missing_items_name_the_file_and_categories(filled, local_project):
    missing = council_data.part4_missing(filled)
    referral_gaps = missing[missing["file"] == "part4_referrals.csv"]
    assert "Referrals where the household was supported" in set(referral_gaps["item"])
    assert "Referrals received" not in set(referral_gaps["item"])
    items = council_text.part4_missing_items(filled)
    reasons = next(i for i in items if "part4_referrals.csv" in i and "why a household could not be supported" in i)
    assert "The household could not be contacted" in reasons and "No space" not in reasons
    assert not any("part4_supported.csv` is not there" in i for i in items)  # the template is there, blank
    (folder(local_project) / "part4_supported.csv").unlink()
    items = council_text.part4_missing_items(load())
    assert any(
        f"`data/raw/local/{ISLE_OF_WIGHT}/part4_supported.csv` is not there" in i and "--file part4_supported.csv" in i
        for i in items
    )


def test_local_check_reports_what_is_filled(filled, capsys):
    assert cli.main(["local", "check", ISLE_OF_WIGHT, "--missing"]) == 0
    out = capsys.readouterr().out
    assert "part4_referrals.csv: 5 of 11 categories filled; 1 small count(s) of people" in out
    assert "supply.csv: not there" in out and "Not known yet:" in out


# ------------------------------------------------------------------------------------------
# Malformed files: file, line, column, value and a hint
# ------------------------------------------------------------------------------------------

REFERRALS = "part4_referrals.csv"
MALFORMED = {
    "count-text": ("referrals,received,,twelve,2023-24,fixture source,", "line 2, column 'count', value 'twelve'"),
    "count-negative": (
        "referrals,received,,-2,2023-24,fixture source,",
        "line 2, column 'count', value -2.0: must be >= 0",
    ),
    "count-fraction": ("referrals,received,,2.5,2023-24,fixture source,", "line 2, column 'count', value 2.5"),
    "period": ("referrals,received,,12,23/24,fixture source,", "line 2, column 'period', value '23/24'"),
    "category": (
        "reason,no_capacty,,12,2023-24,fixture source,",
        "line 2, column 'category', value 'no_capacty': not a category of section 'reason' "
        "(did you mean 'no_capacity'?)",
    ),
    "section": (
        "reasons,no_capacity,,12,2023-24,fixture source,",
        "line 2, column 'section', value 'reasons': not a section of part4_referrals.csv (did you mean 'reason'?)",
    ),
    "no-source": ("referrals,received,,12,2023-24,,", "line 2, column 'source': empty, but the row has a count"),
    "no-period": ("referrals,received,,12,,fixture source,", "line 2, column 'period': empty, but the row has a count"),
}


@pytest.mark.parametrize("row, expected", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_part4_cell_is_named_by_file_line_column(local_project, row, expected):
    write_local(local_project, ISLE_OF_WIGHT, REFERRALS, ",".join(HEADER) + "\n" + row + "\n")
    with pytest.raises(ValidationError) as info:
        load()
    assert str(info.value).startswith(f"data/raw/local/{ISLE_OF_WIGHT}/{REFERRALS} failed validation:")
    assert f"  - {expected}" in str(info.value)
    assert "README.txt" in info.value.hint and "blank = not known" in info.value.hint


def test_repeats_and_parts_above_their_total_are_named_with_both_lines(local_project):
    text = "\n".join(
        [
            ",".join(HEADER),
            "referrals,received,,40,2023-24,fixture source,",
            "referrals,not_supported,,50,2023-24,fixture source,",
            "referrals,received,,41,2023-24,fixture source,",
            "referrals,received,,60,2022-23,fixture source,",  # another period: allowed
            "referrals,supported,,55,2022-23,fixture source,",  # within 2022-23's 60: fine
        ]
    )
    write_local(local_project, ISLE_OF_WIGHT, REFERRALS, text + "\n")
    with pytest.raises(ValidationError) as info:
        load()
    message = str(info.value)
    assert "line 4 repeats line 2 (section 'referrals', category 'received', period '2023-24')" in message
    assert "line 3, column 'count', value 50: more than the 40 of 'Referrals received' in 2023-24 (line 2)" in message
    assert "line 5" not in message and "line 6" not in message


def test_a_template_saved_by_a_spreadsheet_still_reads(local_project):
    """Excel writes CRLF line ends and a byte-order mark, and may drop the optional columns."""
    text = "\r\n".join(["section,category,count,period,source", "referrals,received,12,2023-24,fixture source", ""])
    write_local(local_project, ISLE_OF_WIGHT, REFERRALS, b"\xef\xbb\xbf" + text.encode("utf-8"))
    table = load().part4[REFERRALS]
    assert table["count"].tolist() == [12] and table["label"].isna().all()


@pytest.mark.parametrize("command", [["local"], ["local", "template"], ["local", "check"]], ids=" ".join)
def test_help_for_the_local_commands(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: analysis local" in capsys.readouterr().out
