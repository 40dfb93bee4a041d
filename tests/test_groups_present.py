"""How chapter 01 shows the groups who may need specialist support (analysis.present.groups) and the
area's deprivation (analysis.present.deprivation): tables, sentences, figure and alt text, checked
against the Census counts summed here by hand from the raw TS021 and TS038 files."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

from analysis import config
from analysis.errors import ParameterError
from analysis.methods import deprivation, groups
from analysis.present import deprivation as show_deprivation
from analysis.present import groups as show_groups
from analysis.present import report

from .conftest import districts_of, raw_csv

HAMPSHIRE, BIRMINGHAM, LONDON = "E10000014", "E08000025", "E12000007"


@pytest.fixture(scope="module")
def hampshire() -> pd.DataFrame:
    return groups.groups_for_area(HAMPSHIRE)


def hand_disabled(code: str) -> tuple[int, int]:
    """Disabled residents and all usual residents of an authority, from the raw TS038 rows by label."""
    raw = raw_csv("census2021_ts038_ltla21_disability")
    raw = raw[raw["Lower Tier Local Authorities Code"].isin(districts_of(code))]
    disabled = raw.loc[
        raw["Disability (5 categories)"].str.startswith("Disabled under the Equality Act"), "Observation"
    ]
    return int(disabled.sum()), int(raw["Observation"].sum())


def test_the_table_shows_the_authoritys_counts_and_every_comparators_share(hampshire):
    shown = show_groups.display_groups(hampshire).set_index("Group")
    assert list(shown.columns) == [
        "Hampshire: residents",
        "Hampshire: all usual residents",
        "Hampshire: share (%)",
        "South East: share (%)",
        "England: share (%)",
    ]
    disabled, everyone = hand_disabled(HAMPSHIRE)
    row = shown.loc["Disabled under the Equality Act"]
    assert row["Hampshire: residents"] == disabled and row["Hampshire: all usual residents"] == everyone
    assert row["Hampshire: share (%)"] == pytest.approx(disabled / everyone * 100, rel=1e-12)
    arguments = show_groups.table_arguments(hampshire)
    assert arguments["count_columns"] == ["Hampshire: residents", "Hampshire: all usual residents"]
    assert arguments["derived_columns"] == {"Hampshire: residents": ["Hampshire: share (%)"]}
    assert any("not counts of victims" in note for note in arguments["notes"])
    assert any("limited a lot or a little" in note for note in arguments["notes"])


def test_a_region_is_not_its_own_comparator_and_england_has_none():
    london = show_groups.display_groups(groups.groups_for_area(LONDON))
    assert [c for c in london.columns if c.endswith("share (%)")] == ["London: share (%)", "England: share (%)"]
    england = show_groups.display_groups(groups.groups_for_area(config.ENGLAND_CODE))
    assert [c for c in england.columns if c.endswith("share (%)")] == ["England: share (%)"]
    assert "of usual residents (" not in show_groups.describe_groups(groups.groups_for_area(config.ENGLAND_CODE))


def test_the_sentence_and_alt_text_give_the_rounded_shares_and_say_residents_not_victims(hampshire):
    disabled, everyone = hand_disabled(HAMPSHIRE)
    percent = report.format_number(disabled / everyone * 100, 1)
    text = show_groups.describe_groups(hampshire)
    assert f"disabled residents (Equality Act 2010): {report.format_number(disabled)}, {percent}% of usual" in text
    assert show_groups.SIZES_NOT_VICTIMS in text
    matplotlib.use("Agg")
    fig, alt = show_groups.figure_groups(hampshire)
    assert f"Disabled under the Equality Act: Hampshire {percent}%, South East " in alt
    assert alt.endswith("The bars size resident groups, not victims.")
    assert len(fig.axes[0].patches) == 3 * 3  # three groups, three areas
    report.figure_png(fig)  # renders and closes


def test_the_national_evidence_is_cited_with_the_reports_figures():
    text = show_groups.specialist_need_text()
    assert "black and minoritised victims 11,660" in text and "disabled victims 5,730" in text
    assert "26,830 individuals" in text and "2022-23" in text
    assert "004_c65f26b620d78a88.txt" in text and "paragraphs 68-70" in text and "paragraph 14" in text


@pytest.mark.parametrize("bad", [pd.DataFrame(), None, pd.DataFrame({"group": ["disabled"]})])
def test_a_frame_that_is_not_groups_for_area_is_refused(bad):
    with pytest.raises(ParameterError, match="groups"):
        show_groups.display_groups(bad)


def test_deprivation_sentences_say_whose_computation_it_is():
    birmingham = show_deprivation.describe_deprivation(deprivation.deprivation_for_area(BIRMINGHAM))
    raw = raw_csv("iod2019_lad19_summaries")
    score = raw.loc[(raw["lad19cd"] == BIRMINGHAM) & (raw["index_domain"] == deprivation.DEFAULT_DOMAIN)]
    assert f"is {report.format_number(score['average_score'].item(), 1)}, ranked " in birmingham[0]
    assert "MHCLG's own district average score (File 10)" in birmingham[1]
    assert "computed by this workspace" in birmingham[1] and "It does not show" in birmingham[2]
    hampshire = show_deprivation.describe_deprivation(deprivation.deprivation_for_area(HAMPSHIRE))
    assert "population-weighted mean of the average scores of its 11 districts" in hampshire[1]
    london = show_deprivation.describe_deprivation(deprivation.deprivation_for_area(LONDON))
    assert "ranked" not in london[0] and "England" in london[0]


def test_the_deprivation_table_leaves_regions_unranked_and_names_shared_weights():
    rows = deprivation.deprivation_for_area(HAMPSHIRE)
    table = show_deprivation.display_deprivation(rows)
    rank = "Rank among 152 upper-tier authorities (1 = most deprived)"
    assert table["Area"].tolist() == ["Hampshire", "South East", "England"]
    assert table[rank].iloc[0] == rows["rank_computed"].iloc[0] and table[rank].iloc[1:].isna().all()
    notes = show_deprivation.table_notes(rows)
    assert "not MHCLG's own upper-tier summary (File 11)" in notes[0]
    assert any(note.startswith("Weights for South East:") and "Buckinghamshire" in note for note in notes)
    assert not any(note.startswith("Weights for Hampshire") for note in notes)
