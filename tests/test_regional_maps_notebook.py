"""The regional maps notebook run with papermill for two authorities in different regions."""

from __future__ import annotations

import base64
import json
import re

import pytest

from analysis import config
from analysis.methods import indicators
from tests.conftest import run_notebook
from tests.test_indicators import hand_districts, hand_persons

pytestmark = pytest.mark.notebook

# Two authorities in different regions, both edge cases: the smallest population in England
# (Isles of Scilly, South West) and the City of London (London, 32 neighbours).
RUNS = {
    "E06000053": {},
    "E09000001": {"indicators": ["population_14_18", "partner_abuse_women_region"], "classification": "fisher_jenks"},
}
IMG = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)"/>')
TABLE = re.compile(r'<table[^>]*? aria-label="([^"]*and its comparators[^"]*)".*?</table>', re.S)
CODE_CELL = re.compile(r"<td>([EK]\d{8})</td>")


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    out = {}
    for code, parameters in RUNS.items():
        path, records = run_notebook("03_regional_maps", tmp_path_factory.mktemp(code), area=code, **parameters)
        out[code] = (json.loads(path.read_text(encoding="utf-8")), records)
    return out


def html_outputs(nb) -> list[str]:
    return [
        "".join(o["data"]["text/html"])
        for cell in nb["cells"]
        for o in cell.get("outputs", [])
        if "text/html" in o.get("data", {})
    ]


def expected_neighbours(code: str) -> tuple[str, list[str]]:
    districts = hand_districts()
    region = districts.loc[districts["UTLA22CD"] == code, "region"].iloc[0]
    return region, sorted(set(districts.loc[districts["region"] == region, "UTLA22CD"]) - {code})


@pytest.mark.parametrize("code", RUNS)
def test_the_notebook_runs_without_errors_and_records_its_choices(executed, code):
    nb, records = executed[code]
    errors = [o for cell in nb["cells"] for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    region, neighbours = expected_neighbours(code)
    assert records["area_code"] == code and records["region_code"] == region
    assert sorted(records["neighbours"]) == neighbours
    wanted = RUNS[code].get("indicators", indicators.indicator_ids())
    assert records["indicators"] == wanted
    assert records["classification"] == RUNS[code].get("classification", config.MAP_CLASSIFICATION_DEFAULT)
    assert records["rate_per_100k"]["population_14_18"] == pytest.approx(
        hand_persons(code, 14, 18) / hand_persons(code, 0, None) * 1e5, rel=1e-12
    )
    assert records["rate_per_100k"]["partner_abuse_women_region"] is None  # published by region only


@pytest.mark.parametrize("code", RUNS)
def test_every_figure_is_an_embedded_png_with_alt_text(executed, code):
    nb, records = executed[code]
    images = [m for html in html_outputs(nb) for m in IMG.findall(html)]
    flat = {"children_affected"}  # one national rate everywhere: a note replaces its maps
    assert len(images) == records["n_figures"] >= 2 * len(set(records["indicators"]) - flat)
    for encoded, alt in images:
        data = base64.b64decode(encoded)
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
        assert len(alt) > 40
    assert not any("http://" in html or "https://" in html for html in html_outputs(nb) if "<img" in html)


@pytest.mark.parametrize("code", RUNS)
def test_each_comparison_table_lists_the_authority_its_neighbours_the_region_and_england(executed, code):
    nb, records = executed[code]
    region, neighbours = expected_neighbours(code)
    tables = [(m.group(1), m.group(0)) for html in html_outputs(nb) for m in TABLE.finditer(html)]
    assert len(tables) == len(records["indicators"])
    for caption, table in tables:
        codes = CODE_CELL.findall(table)
        if codes[-1] == config.ENGLAND_AND_WALES_CODE:  # region-only indicator: the reference comes last
            codes = codes[:-1]
        assert codes[0] == code and codes[-2:] == [region, config.ENGLAND_CODE], caption
        assert sorted(codes[1:-2]) == neighbours, caption
