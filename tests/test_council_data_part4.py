"""What the reports make of a council's Part 4 return files: the methods' frame and record, chapter 02's
section "The council's own records (Part 4 annual return)", and the evidence summary's list of what
the council has added and what is missing.

The local folder is a fixture in a temporary project (``local_project``): the Isle of Wight with the
referrals template partly filled (counts typed here, source ``fixture source``), the accommodation
template written but left blank, and the five other tables absent. The number of categories of
each table is written out from the steering group report (seed document 004, paragraphs cited),
not read from the code. A malformed file's error (file, line, column) is tested in
tests/test_local_template.py.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from analysis import config
from analysis.methods import council_data
from analysis.present import council_data as council_text
from analysis.present import labels, summary, tables

from .test_local_data import ISLE_OF_WIGHT, local_project  # noqa: F401
from .test_local_template import fill, folder, load, template
from .test_summary import FIXTURE_IDS, FIXTURE_RECORDS, SUPPLY, write_chapter

TITLES = {
    "accommodation": "Bedspaces and units of safe accommodation by type",
    "supported": "Individuals supported in safe accommodation, by accommodation type and identity",
    "referrals": "Referrals received, supported and unable to be supported, with the reasons",
    "specialist": "Individuals supported with specialist characteristics",
    "length_of_stay": "Length of stay in safe accommodation",
    "support_ended": "Households whose support in safe accommodation ended, and why",
    "specialist_services": "Specialist services commissioned, and how many are 'by and for'",
}
#: Paragraphs 57-61, 91, 93: received, supported, not supported; five reasons; three needs not met.
REFERRAL_CATEGORIES = 3 + 5 + 3
#: Paragraphs 72-73: all types, and the six accommodation types.
ACCOMMODATION_CATEGORIES = 1 + 6
FILLED = {
    ("referrals", "received"): "120",
    ("referrals", "not_supported"): "45",
    ("reason", "no_capacity"): "30",
    ("need", "no_recourse_to_public_funds"): "3",  # a small count of people: shown as [c]
}


@pytest.fixture
def fixture_local(local_project):
    """The Isle of Wight's fixture folder: referrals partly filled, accommodation blank, the rest absent."""
    files = ["--file", "part4_referrals.csv", "--file", "part4_accommodation.csv"]
    assert template(local_project, ISLE_OF_WIGHT, *files) == 0
    fill(folder(local_project) / "part4_referrals.csv", FILLED)
    return load()


def test_the_methods_frame_says_what_is_filled_and_what_is_missing(fixture_local):
    status = council_data.part4_status(fixture_local).set_index("title")
    assert list(status.index) == list(TITLES.values())  # the return's order
    referrals = status.loc[TITLES["referrals"]]
    assert (referrals["provided"], referrals["categories"], referrals["filled"]) == (True, REFERRAL_CATEGORIES, 4)
    assert referrals["missing"] == REFERRAL_CATEGORIES - 4 and referrals["periods"] == ("2023-24",)
    accommodation = status.loc[TITLES["accommodation"]]
    assert (accommodation["provided"], accommodation["filled"]) == (True, 0)
    assert accommodation["missing"] == ACCOMMODATION_CATEGORIES
    absent = status.drop(index=[TITLES["referrals"], TITLES["accommodation"]])
    assert not absent["provided"].any() and (absent["filled"] == 0).all()
    assert (absent["missing"] == absent["categories"]).all()
    # the record the chapter keeps is the same, entry for entry, with lists for JSON
    record = council_data.part4_records(fixture_local)[council_data.PART4_RECORD]
    assert [entry["title"] for entry in record] == list(TITLES.values())
    assert record[2] == {"title": TITLES["referrals"], "provided": True, "categories": REFERRAL_CATEGORIES,
                         "filled": 4, "missing": REFERRAL_CATEGORIES - 4, "periods": ["2023-24"]}  # fmt: skip
    assert record[0]["provided"] is True and record[0]["filled"] == 0 and record[0]["periods"] == []


def test_the_chapter_text_lists_what_is_missing_in_plain_words_with_the_command(fixture_local):
    text = council_text.part4_missing_text(fixture_local)
    assert labels.code_text(text) == []  # no file name, folder or code name
    assert "part4_" not in text and "data/" not in text
    assert f"`analysis local template {ISLE_OF_WIGHT}`" in text
    for key in ("supported", "specialist", "length_of_stay", "support_ended", "specialist_services"):
        assert f"**{TITLES[key]}**: not added yet." in text
    assert f"**{TITLES['accommodation']}**: the template is there, but no count has been filled in yet." in text
    reasons = next(line for line in text.splitlines() if "why a household could not be supported" in line)
    assert "The household could not be contacted" in reasons and "No space" not in reasons  # no space is filled
    intro = council_text.part4_intro(fixture_local, "Isle of Wight")
    assert "Figures have been added for 1 of the return's 7 tables" in intro and labels.code_text(intro) == []


def test_each_filled_file_is_a_readable_table_with_small_counts_suppressed(fixture_local):
    shown = council_text.part4_tables(fixture_local, "Isle of Wight")
    assert [t.caption for t in shown] == [f"{TITLES['referrals']}, Isle of Wight (referrals)"]
    part = shown[0]
    published, table = tables.build(
        part.frame, part.caption, count_columns=part.count_columns, labels_for=part.labels, notes=part.notes
    )  # raises if a heading, cell or note would show code
    counts = dict(zip(published["item"], published["count"]))
    assert counts["Referrals received"] == 120 and counts["No space: the service did not have capacity"] == 30
    assert counts["No recourse to public funds"] == config.SUPPRESSION_MARKER
    html = table.html()
    assert "Number of referrals" in html and "Category" in html and ">3<" not in html
    assert labels.code_text(table.text()) == []


def summary_soup(tmp_path, supply_records: dict) -> BeautifulSoup:
    area = tmp_path / "E10000014-hampshire"  # write_chapter's fixture pages are Hampshire's
    write_chapter(
        area, SUPPLY, supply_records, [*FIXTURE_IDS[SUPPLY], "the-council-s-own-records-part-4-annual-return"]
    )
    return BeautifulSoup(summary.write_summary(area).read_text(encoding="utf-8"), "html.parser")


def test_the_summary_lists_the_tables_added_and_missing_from_the_run_record(fixture_local, tmp_path):
    record = council_data.part4_records(fixture_local)
    soup = summary_soup(tmp_path, dict(FIXTURE_RECORDS[SUPPLY], **record))
    section = soup.find(id="evidence-the-council-must-add").parent
    added = [" ".join(li.get_text().split()) for li in soup.find(id="part-4-added").find_next("ul").find_all("li")]
    assert added == [f"{TITLES['referrals']}: 4 of its {REFERRAL_CATEGORIES} categories (2023-24)."]
    missing = [" ".join(li.get_text().split()) for li in soup.find(id="part-4-missing").find_next("ul").find_all("li")]
    assert missing[0] == f"{TITLES['accommodation']} (a file is there, with no count yet)."
    absent = ("supported", "specialist", "length_of_stay", "support_ended", "specialist_services")
    assert missing[1:] == [f"{TITLES[key]} (not added)." for key in absent]
    assert "analysis local template E10000014" in section.get_text()  # the page's area
    link = section.find("a", string=lambda s: s and s.startswith("The figures added"))
    assert link["href"] == f"{SUPPLY}.html#the-council-s-own-records-part-4-annual-return"
    # every figure is its record, named by a span (nothing recomputed)
    spans = {s["data-record"]: s.get_text() for s in section.select("span[data-record]")}
    assert spans[f"{SUPPLY}/{council_data.PART4_RECORD}/2/filled"] == "4"
    assert spans[f"{SUPPLY}/{council_data.PART4_RECORD}/2/periods/0"] == "2023-24"


def test_a_run_without_the_record_lists_what_the_return_asks_for(tmp_path):
    soup = summary_soup(tmp_path, dict(FIXTURE_RECORDS[SUPPLY]))
    section = soup.find(id="evidence-the-council-must-add").parent
    assert soup.find(id="part-4-added") is None and soup.find(id="part-4-missing") is None
    assert "Bedspaces by type of safe accommodation" in section.get_text()
