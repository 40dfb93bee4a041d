"""The command line: help for every command, exit codes, one-line errors without tracebacks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis import cli

COMMANDS = [
    [],
    ["data"],
    ["data", "get"],
    ["data", "verify"],
    ["data", "build"],
    ["data", "hash"],
    ["areas"],
    ["areas", "list"],
    ["areas", "find"],
    ["report"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "analysis")
def test_help_for_every_command(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: analysis" in capsys.readouterr().out


def test_areas_find_prints_the_authority(capsys):
    assert cli.main(["areas", "find", "hampshire"]) == 0
    assert "E10000014  Hampshire" in capsys.readouterr().out


def test_areas_list_region_as_csv(capsys):
    assert cli.main(["areas", "list", "--region", "E12000008", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("area_code,area_name") and len(lines) == 20


def test_bad_area_exits_non_zero_with_message_and_hint(capsys):
    assert cli.main(["areas", "find", "Winchester"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: Winchester (E07000094) is a lower-tier district")
    assert "hint: Use its upper-tier authority Hampshire (E10000014)" in err
    assert "Traceback" not in err


def test_data_verify_succeeds_on_the_shipped_files(capsys):
    assert cli.main(["data", "verify"]) == 0
    assert "match data/raw/sources.yaml" in capsys.readouterr().out


def test_console_script_has_no_traceback_without_debug():
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "areas", "find", "E10000099"], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "E10000099 is not a known area code" in result.stderr
    debug = subprocess.run(
        [sys.executable, "-m", "analysis", "--debug", "areas", "find", "E10000099"], capture_output=True, text=True
    )
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_unknown_subcommand_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["frobnicate"])
    assert exit_info.value.code == 2
