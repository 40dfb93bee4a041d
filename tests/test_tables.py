"""Published tables (analysis.present.tables): what a reader sees in each cell and heading.

Every frame here is a tiny hand-made fixture (groups named "fixture ..."); every expected heading,
cell and footnote is written out by hand from the rules of the module (GSS/Analysis Function
guidance: headings in words with units, [c] for suppressed cells, a footnote per symbol).
"""

from __future__ import annotations

import csv
import io
import math

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from analysis.errors import ParameterError
from analysis.present import labels, tables
from analysis.present.downloads import DataFile


def build(frame: pd.DataFrame, caption: str = "Fixture table, England, 2021", **options):
    """The published table only."""
    return tables.build(frame, caption, **options)[1]


# ------------------------------------------------------------------------------------------
# Headings
# ------------------------------------------------------------------------------------------


def test_headings_are_plain_words_with_their_units():
    frame = pd.DataFrame(
        {
            "accommodation_type": ["refuge"],
            "bedspaces": [92],
            "places_per_100k": [4.9],
            "rate_percent": [9.5],
            "population": [1400000],
        }
    )
    assert build(frame).headings == [
        "Accommodation type",
        "Bedspaces",
        "Refuge places per 100,000 people",
        "Rate (%)",
        "Population (Census 2021)",
    ]


def test_a_plain_name_gets_a_capital_and_labels_win_over_the_registry():
    frame = pd.DataFrame({"households owed a duty": [120], "bedspaces": [10]})
    table = build(frame, labels_for={"bedspaces": "Refuge bedspaces (commissioned)"})
    assert table.headings == ["Households owed a duty", "Refuge bedspaces (commissioned)"]


def test_a_code_name_column_without_a_label_is_refused_naming_it():
    frame = pd.DataFrame({"area_name": ["fixture A"], "beds_per_widget": [3.0]})
    with pytest.raises(ParameterError, match="beds_per_widget") as raised:
        build(frame)
    assert "COLUMN_LABELS" in str(raised.value)  # the fix is named with the column
    assert build(frame, labels_for={"beds_per_widget": "Beds per widget"}).headings == ["Area", "Beds per widget"]


def test_two_columns_with_one_heading_are_refused():
    frame = pd.DataFrame({"type_label": ["Refuge"], "accommodation_type": ["refuge"]})  # both "Accommodation type"
    with pytest.raises(ParameterError, match="Accommodation type"):
        build(frame)


# ------------------------------------------------------------------------------------------
# Cells: codes as labels, numbers, intervals
# ------------------------------------------------------------------------------------------


def test_value_codes_are_shown_as_their_labels():
    frame = pd.DataFrame(
        {
            "accommodation_type": ["second_stage_move_on", "sanctuary_scheme"],
            "sex": ["female", "male"],
            "measure": ["any_domestic_abuse", "partner_abuse"],
            "counted_in_standard": [True, False],
        }
    )
    assert build(frame).cells == [
        ["Second stage / move-on", "Women", "Any domestic abuse in the last year", "yes"],
        ["Sanctuary scheme", "Men", "Partner abuse in the last year", "no"],
    ]


def test_a_cell_that_would_show_code_is_refused_naming_column_and_row():
    frame = pd.DataFrame({"provider": ["fixture provider", "unknown_fixture_code"]})
    with pytest.raises(ParameterError, match=r"column 'provider', row 2.*unknown_fixture_code"):
        build(frame)


@pytest.mark.parametrize(
    "text",
    ["see data/raw/authored/children_rates.csv", "from supply.csv", "in reports/index.html", "analysis.methods"],
)
def test_a_path_file_name_or_module_in_a_cell_caption_or_note_is_refused(text):
    frame = pd.DataFrame({"note": [text]})
    with pytest.raises(ParameterError, match="would publish code"):
        build(frame)
    with pytest.raises(ParameterError, match="would publish code"):
        build(pd.DataFrame({"count": [10]}), f"Fixture caption {text}")
    with pytest.raises(ParameterError, match="would publish code"):
        build(pd.DataFrame({"count": [10]}), notes=[text])


def test_a_councils_file_or_a_seed_document_is_named_in_words():
    frame = pd.DataFrame(
        {"source": ["data/raw/local/E10000014/supply.csv", "000_41c104a8a2dac83f.txt section 5.2"]}  # FIXTURE
    )
    assert build(frame).cells == [
        ["the council's own supply figures"],
        ["Hampshire County Council, Domestic Abuse Safe Accommodation Strategy 2021-2023 section 5.2"],
    ]


def test_a_web_address_is_published_as_it_is():
    frame = pd.DataFrame({"source": ["https://example.org/a_page_with_underscores.csv"]})
    assert build(frame).cells == [["https://example.org/a_page_with_underscores.csv"]]


def test_numbers_have_thousands_separators_and_fixed_decimals_per_column():
    frame = pd.DataFrame(
        {
            "group": ["fixture A", "fixture B"],
            "population": [1234567, 999.5],
            "rate_percent": [9.25, 12.0],
            "rate_per_100k": [1234.5678, 0.125],
        }
    )
    table = build(frame, decimals={"rate_percent": 1, "rate_per_100k": 2})
    # halves away from zero: 999.5 -> 1,000; 9.25 -> 9.3; 0.125 -> 0.13
    assert table.cells == [
        ["fixture A", "1,234,567", "9.3", "1,234.57"],
        ["fixture B", "1,000", "12.0", "0.13"],
    ]
    assert table.numeric == [False, True, True, True]


def test_a_missing_number_is_a_dash():
    frame = pd.DataFrame({"group": ["fixture A"], "bedspaces": [math.nan]})
    assert build(frame).cells == [["fixture A", "–"]]


def test_an_interval_is_one_column_lower_to_upper():
    frame = pd.DataFrame(
        {
            "group": ["fixture A", "fixture B"],
            "estimate": [1500, 80],
            "ci_lower": [1234.4, 60.0],
            "ci_upper": [2345.6, 101.5],
        }
    )
    table = build(frame, level=0.9)
    assert table.headings == ["Group", "Estimate", "90% confidence interval"]
    assert table.cells == [["fixture A", "1,500", "1,234 to 2,346"], ["fixture B", "80", "60 to 102"]]
    # the CSV writes the numbers without separators, the interval in the same words
    assert table.csv_rows()[1] == ["fixture A", "1500", "1234 to 2346"]


def test_an_interval_with_a_missing_limit_is_a_dash_and_the_pair_can_be_named():
    frame = pd.DataFrame({"group": ["fixture A"], "low": [1.25], "high": [math.nan]})
    table = build(frame, intervals={"Plausible range (%)": ("low", "high")}, decimals={"low": 1})
    assert table.headings == ["Group", "Plausible range (%)"]
    assert table.cells == [["fixture A", "–"]]


# ------------------------------------------------------------------------------------------
# Suppression, footnotes, CSV
# ------------------------------------------------------------------------------------------


def suppressed_fixture():
    frame = pd.DataFrame(
        {"group": ["fixture A", "fixture B", "fixture C"], "count": [3, 12345, 0], "rate_per_100k": [0.2, 8.64, 0.0]}
    )
    return build(frame, count_columns=["count"], derived_columns=["rate_per_100k"], decimals={"rate_per_100k": 1})


def test_small_counts_and_what_derives_from_them_are_suppressed_and_stay_so_in_the_csv():
    table = suppressed_fixture()
    assert table.cells == [
        ["fixture A", "[c]", "[c]"],
        ["fixture B", "12,345", "8.6"],
        ["fixture C", "0", "0.0"],  # a zero is not a small count
    ]
    data = DataFile("fixture.csv", "table", table.caption, table.headings, table.cells, table.notes)
    text = data.csv_bytes().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [
        ["Group", "Count", "Rate per 100,000"],
        ["fixture A", "[c]", "[c]"],
        ["fixture B", "12345", "8.6"],
        ["fixture C", "0", "0.0"],
    ]
    assert data.csv_bytes().startswith(b"\xef\xbb\xbf")  # a byte order mark: Excel reads UTF-8


def test_the_suppression_footnote_is_added_only_when_a_cell_shows_the_marker():
    assert any(note.startswith("[c] = ") and "fewer than 5" in note for note in suppressed_fixture().notes)
    frame = pd.DataFrame({"group": ["fixture B"], "count": [120]})
    assert build(frame, count_columns=["count"], notes=["Fixture note."]).notes == ["Fixture note."]


def test_the_dash_and_no_data_footnotes_are_added_only_when_shown():
    plain = pd.DataFrame({"group": ["fixture A"], "bedspaces": [4]})
    assert build(plain).notes == []
    dashed = pd.DataFrame({"group": ["fixture A"], "bedspaces": [math.nan]})
    assert build(dashed).notes == ["– = no figure: not available or not stated (never a zero)."]
    no_data = pd.DataFrame({"group": ["fixture A"], "status": ["no data"]})
    assert build(no_data).notes == ["no data = the source gives no figure for this area (not a zero)."]


def test_a_table_can_say_what_its_dash_means_and_a_written_note_is_not_repeated():
    frame = pd.DataFrame({"group": ["fixture A"], "bedspaces": [math.nan], "count": [2]})
    table = build(
        frame,
        count_columns=["count"],
        symbols={"–": "bedspaces not stated by the council"},
        notes=["[c] = fewer than 5 referrals (fixture note)."],
    )
    assert table.notes == ["[c] = fewer than 5 referrals (fixture note).", "– = bedspaces not stated by the council"]


# ------------------------------------------------------------------------------------------
# HTML: the scrolling box
# ------------------------------------------------------------------------------------------


def test_the_html_puts_the_table_in_a_labelled_scrolling_box_with_its_footnotes():
    table = suppressed_fixture()
    soup = BeautifulSoup(table.html(), "html.parser")
    box = soup.select_one("div.table-block > div.table-scroll")
    assert box["role"] == "region" and box["tabindex"] == "0"
    assert box["aria-label"] == "Fixture table, England, 2021"
    assert box.table.caption.get_text() == "Fixture table, England, 2021"
    assert [th["scope"] for th in box.find_all("th")] == ["col"] * 3
    assert [td.get("class") for td in box.tbody.tr.find_all("td")] == [None, ["numeric"], ["numeric"]]
    notes = soup.select("div.table-block > div.table-notes > p.table-note")
    assert any(note.get_text().startswith("[c] = ") for note in notes)
    assert soup.select_one("div.table-block")["data-table-key"] == table.key


def test_a_column_of_long_texts_is_marked_to_be_given_room():
    long_note = "Fixture note long enough to wrap a narrow column into a line per word: " + "more words " * 3
    assert len(long_note) > 80
    frame = pd.DataFrame({"provider": ["fixture A", "fixture B"], "note": ["short", long_note], "places": [4, 6]})
    soup = BeautifulSoup(build(frame).html(), "html.parser")
    assert [[td.get("class") for td in tr.find_all("td")] for tr in soup.tbody.find_all("tr")] == [
        [None, ["long-text"], ["numeric"]],
        [None, ["long-text"], ["numeric"]],
    ]
    assert [th.get("class") for th in soup.thead.find_all("th")] == [None, None, ["numeric"]]


def test_a_seed_documents_title_written_after_its_file_name_is_not_repeated():
    frame = pd.DataFrame(
        {
            "source": [
                "003_2b6ea0f71d03fd62.txt (Isle of Wight Council, Strategy for the Provision of Support within "
                "Safe Accommodation 2021-2024), National Context",
                "003_2b6ea0f71d03fd62.txt (page 4), National Context",
            ]
        }
    )
    title = "Isle of Wight Council, Strategy for the Provision of Support within Safe Accommodation 2021-2024"
    assert build(frame).cells == [[f"{title}, National Context"], [f"{title} (page 4), National Context"]]


def test_quarterly_editions_of_one_release_read_as_one_source_title():
    ids = ["homelessness_2018_q1", "homelessness_2018_q2", "homelessness_2018_q3", "census2021_ts009_ltla21_sya"]
    assert labels.source_titles(ids) == [
        "Statutory homelessness: detailed local authority-level tables, April to June 2018 to October to December "
        "2018 (H-CLIC; 3 quarterly editions)",
        "Census 2021 TS009: sex by single year of age, usual residents, lower-tier local authorities",
    ]
    two = labels.source_titles(ids[:2])  # two editions stay two titles
    assert two[1] == "Statutory homelessness: detailed local authority-level tables, July to September 2018 (H-CLIC)"


def test_a_seed_document_reference_reads_as_the_documents_title():
    text = labels.name_documents("paragraphs 68-70 (seed document 004_c65f26b620d78a88.txt)")
    assert text == (
        "paragraphs 68-70 (Annual progress report of the Domestic Abuse Safe Accommodation National Expert "
        "Steering Group 2022-23)"
    )


def test_a_count_column_with_suppressed_cells_is_still_a_number_column():
    frame = pd.DataFrame({"area": ["A", "B"], "count": [3, 1200]})
    _, shown = tables.build(frame, "Counts by area", count_columns=["count"])
    soup = BeautifulSoup(shown.html(), "html.parser")
    cells = [td for td in soup.select("tbody td") if td.get_text() in ("[c]", "1,200")]
    assert len(cells) == 2 and all("numeric" in td.get("class", []) for td in cells)
    assert "numeric" not in (soup.select("tbody td")[0].get("class") or [])


def test_a_table_built_again_from_equal_data_is_the_one_built_before_and_new_data_is_built_anew():
    """build_shared: chapter 3's chart data (the same in every report) is built once per process."""
    fixture_rows = {"area_name": ["Fixture A", "Fixture B"], "count": [12, 3], "population": [1000, 2000]}
    first_frame, first = tables.build_shared(pd.DataFrame(fixture_rows), "Fixture counts", count_columns=["count"])
    again_frame, again = tables.build_shared(pd.DataFrame(fixture_rows), "Fixture counts", count_columns=["count"])
    assert again is first  # equal content, another frame object: not built again
    assert again_frame is not first_frame and again_frame.equals(first_frame)
    assert first.cells[1][1] == "[c]"  # 3 households: suppressed as build suppresses it
    changed = {**fixture_rows, "count": [12, 30]}
    _, other = tables.build_shared(pd.DataFrame(changed), "Fixture counts", count_columns=["count"])
    assert other is not first and other.cells[1][1] == "30"
    _, recaptioned = tables.build_shared(pd.DataFrame(fixture_rows), "Fixture counts, again", count_columns=["count"])
    assert recaptioned is not first and recaptioned.caption == "Fixture counts, again"
    _, no_suppression = tables.build_shared(pd.DataFrame(fixture_rows), "Fixture counts")
    assert no_suppression is not first and no_suppression.cells[1][1] == "3"
    again_frame.loc[0, "count"] = 99  # a caller changing its copy changes nothing kept
    assert (
        tables.build_shared(pd.DataFrame(fixture_rows), "Fixture counts", count_columns=["count"])[0].loc[0, "count"]
        == 12
    )
