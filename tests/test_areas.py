"""Resolving authority codes and names, and the errors for everything that is not one."""

from __future__ import annotations

import pytest

from analysis.errors import AreaError
from analysis.methods import areas
from analysis.methods.areas import AreaResolutionWarning


@pytest.mark.parametrize("query", ["hampshire", "Hampshire", "E10000014", "e10000014", " Hampshire County Council "])
def test_code_and_names_resolve_to_hampshire(query):
    area = areas.resolve_area(query)
    assert (area.code, area.name, area.level) == ("E10000014", "Hampshire", "utla")
    assert area.region_code == "E12000008" and area.holds_part4_duty


@pytest.mark.parametrize("query", ["Hampshre", "Hamshire", "hampshier"])
def test_close_misspellings_resolve_with_a_warning(query):
    with pytest.warns(AreaResolutionWarning, match="Hampshire"):
        assert areas.resolve_area(query).code == "E10000014"


@pytest.mark.parametrize(
    "query, code",
    [
        ("Bristol", "E06000023"),
        ("Hull", "E06000010"),
        ("Durham", "E06000047"),
        ("City of London", "E09000001"),
        ("London", "E12000007"),
        ("South East", "E12000008"),
        ("England", "E92000001"),
    ],
)
def test_common_names_and_aliases(query, code):
    assert areas.resolve_area(query).code == code


def test_london_boroughs_report_the_gla_as_duty_holder():
    area = areas.resolve_area("Westminster")
    assert area.part4_duty_holder_name == "Greater London Authority" and not area.holds_part4_duty


def test_unknown_name_lists_the_closest_matches():
    with pytest.raises(AreaError) as info:
        areas.resolve_area("Hantshire")
    assert "No area called 'Hantshire'" in info.value.message
    assert info.value.hint.startswith("Did you mean Hampshire (E10000014)")


def test_unknown_code_lists_close_codes():
    with pytest.raises(AreaError, match="E10000099 is not a known area code") as info:
        areas.resolve_area("E10000099")
    assert "Closest codes" in info.value.hint


@pytest.mark.parametrize(
    "query, expected",
    [("Yorkshire", "North Yorkshire (E10000023)"), ("Sussex", "East Sussex (E10000011), West Sussex (E10000032)")],
)
def test_ambiguous_names_list_the_candidates(query, expected):
    with pytest.raises(AreaError, match="ambiguous") as info:
        areas.resolve_area(query)
    assert expected in info.value.message


@pytest.mark.parametrize("query", ["Winchester", "E07000094"])
def test_lower_tier_district_names_its_upper_tier_authority(query):
    with pytest.raises(AreaError) as info:
        areas.resolve_area(query)
    assert "Winchester (E07000094) is a lower-tier district" in info.value.message
    assert "Hampshire (E10000014)" in info.value.hint


@pytest.mark.parametrize("query", ["E06000063", "Cumberland"])
def test_code_from_a_later_reorganisation_names_the_authority_to_use(query):
    with pytest.raises(AreaError) as info:
        areas.resolve_area(query)
    assert "Cumberland (E06000063) was created after the workspace geography (on 2023-04-01)" in info.value.message
    assert "Cumbria (E10000006)" in info.value.hint


def test_abolished_county_names_its_successors():
    with pytest.raises(AreaError) as info:
        areas.resolve_area("E10000021")
    assert "abolished" in info.value.message
    assert "North Northamptonshire (E06000061) or West Northamptonshire (E06000062)" in info.value.hint


def test_welsh_code_is_out_of_scope():
    with pytest.raises(AreaError, match="Wales; Part 4 of the Domestic Abuse Act 2021 applies to England only"):
        areas.resolve_area("W06000015")


@pytest.mark.parametrize("bad", ["", "   ", None, 42])
def test_empty_or_non_text_input(bad):
    with pytest.raises(AreaError, match="must be a GSS code or a name"):
        areas.resolve_area(bad)


def test_levels_restrict_what_resolves():
    with pytest.raises(AreaError, match="region, which is not accepted here"):
        areas.resolve_area("E12000008", levels=("utla",))
    assert areas.resolve_area("South East", levels=("region",)).code == "E12000008"


def test_list_areas_by_region_and_neighbours():
    south_east = areas.list_areas(region="South East")
    assert len(south_east) == 19 and "E10000014" in set(south_east["area_code"])
    neighbours = areas.neighbours_in_region(areas.resolve_area("Hampshire"))
    assert {"E06000045", "E06000046", "E06000044"} <= set(neighbours["area_code"])
    assert "E10000014" not in set(neighbours["area_code"])


def test_report_slug():
    assert areas.resolve_area("Bristol").report_slug == "E06000023-bristol-city-of"
