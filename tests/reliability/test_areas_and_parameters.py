"""Reliability cases 1-9: areas and parameters. Each case is a named test; each failure must be
a clear message naming the input and the fix, with a non-zero exit code."""

from __future__ import annotations

from .helpers import assert_one_clear_error, run_cli


def test_case01_unknown_area_code():
    result = run_cli("areas", "find", "E10000099")
    assert_one_clear_error(result, "E10000099 is not a known area code", "Closest codes:")


def test_case02_misspelt_name_suggests_the_right_one():
    result = run_cli("areas", "find", "Hantshire")
    assert_one_clear_error(result, "No area called 'Hantshire'", "Did you mean Hampshire (E10000014)")


def test_case02b_slightly_misspelt_name_resolves_with_a_note():
    result = run_cli("areas", "find", "Hampshre")
    assert result.code == 0 and result.out.startswith("E10000014  Hampshire")
    assert "note: Area 'Hampshre' taken to mean Hampshire (E10000014)." in result.err


def test_case03_ambiguous_name():
    result = run_cli("areas", "find", "Sussex")
    assert_one_clear_error(result, "'Sussex' is ambiguous: it could be East Sussex (E10000011), West Sussex (E10000032)",
                           "Give the full name or the GSS code")


def test_case04_lower_tier_district_code():
    result = run_cli("areas", "find", "E07000094")
    assert_one_clear_error(result, "Winchester (E07000094) is a lower-tier district council",
                           "Use its upper-tier authority Hampshire (E10000014)")


def test_case05_code_from_a_later_reorganisation():
    result = run_cli("areas", "find", "E06000065")
    assert_one_clear_error(result, "North Yorkshire (E06000065) was created after the workspace geography (on 2023-04-01)",
                           "use North Yorkshire (E10000023)")
