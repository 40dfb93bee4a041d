"""The refuge demand-supply notebook run with papermill: Hampshire (local data) and Isle of Wight (none).

Two executions in all, shared through module-scoped fixtures. Expected values are computed by
hand from the raw files (see tests/test_supply.py for the helpers).
"""

from __future__ import annotations

import json
import re

import pytest

from analysis import config

from .conftest import REAL_ROOT, run_notebook
from .test_supply import (
    authored_fact,
    england_population_from_raw,
    population_from_raw,
    shipped_hampshire_refuge_bedspaces,
)

NOTEBOOK = "02_refuge_demand_supply"
ISLE_OF_WIGHT = "E06000046"


@pytest.fixture(scope="module")
def hampshire_run(tmp_path_factory):
    return run_notebook(NOTEBOOK, tmp_path_factory.mktemp("supply_hampshire"), area="E10000014")


@pytest.fixture(scope="module")
def wight_run(tmp_path_factory):
    return run_notebook(NOTEBOOK, tmp_path_factory.mktemp("supply_wight"), area=ISLE_OF_WIGHT)


def outputs(path) -> list[dict]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [o for cell in nb["cells"] if cell["cell_type"] == "code" for o in cell.get("outputs", [])]


def shown_text(path) -> str:
    """Everything the executed notebook shows (plain text and HTML of display outputs)."""
    parts = []
    for output in outputs(path):
        data = output.get("data", {})
        for mime in ("text/plain", "text/html", "text/markdown"):
            if mime in data:
                parts.append("".join(data[mime]))
    return "\n".join(parts)


def test_hampshire_records_match_the_hand_computation(hampshire_run):
    _, records = hampshire_run
    population = population_from_raw("E10000014")
    available = shipped_hampshire_refuge_bedspaces()
    required = population / 10_000
    assert records["area_code"] == "E10000014"
    assert records["has_local_data"] is True and records["has_supply_data"] is True
    assert records["standard_per_10k"] == config.REFUGE_STANDARD_PLACES_PER_10K
    assert records["required_places"] == pytest.approx(required)
    assert records["available_places"] == available
    assert records["shortfall_places"] == pytest.approx(required - available)
    assert records["shortfall_pct"] == pytest.approx((required - available) / required * 100)
    assert records["places_per_100k"] == pytest.approx(available / population * 100_000)
    individuals = authored_fact("individuals_supported_in_safe_accommodation")
    assert records["expected_individuals_supported"] == pytest.approx(
        individuals / england_population_from_raw() * population
    )


def test_hampshire_report_shows_headline_figures_intervals_and_gaps(hampshire_run):
    path, records = hampshire_run
    shown = outputs(path)
    assert not [o for o in shown if o["output_type"] in ("error", "stream")]
    headline = next(o for o in shown if '<div class="headline"' in "".join(o.get("data", {}).get("text/html", "")))
    text = "".join(headline["data"]["text/plain"])
    assert f"{records['available_places']:.0f} refuge bedspaces" in text
    assert f"shortfall of {records['shortfall_places']:,.0f} places" in text
    images = re.findall(r'<img src="data:image/png;base64,[^"]+" alt="([^"]*)"', shown_text(path))
    assert len(images) == 3 and all(alt.strip() for alt in images)  # supply by type, referrals, per 100,000
    text = shown_text(path)
    assert "as printed (of received)" in text  # no denominator invented
    assert "Referrals received" in text and "Other emergency accommodation" in text  # what is missing
    assert "data/raw/local/E10000014/supply.csv" in text  # its source is named
    assert "South East" in text and "no data" in text


def test_isle_of_wight_without_local_data_shows_the_standard_alone(wight_run):
    path, records = wight_run
    population = population_from_raw(ISLE_OF_WIGHT)
    assert records["has_local_data"] is False
    assert records["required_places"] == pytest.approx(population / 10_000)
    for key in ("available_places", "shortfall_places", "shortfall_pct", "places_per_100k"):
        assert records[key] is None
    assert not [o for o in outputs(path) if o["output_type"] in ("error", "stream")]
    text = shown_text(path)
    assert (
        f"data/raw/local/{ISLE_OF_WIGHT}/supply.csv" in text and f"data/raw/local/{ISLE_OF_WIGHT}/referrals.csv" in text
    )
    assert "cannot be measured" in text
    assert "no local data" in text


def test_notebook_follows_the_contract_headings_and_parameters():
    nb = json.loads((REAL_ROOT / "notebooks" / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8"))
    assert nb["cells"][0]["metadata"]["tags"] == ["researcher-notes"]
    parameters = "".join(nb["cells"][1]["source"])
    assert f"standard_per_10k: float = {config.REFUGE_STANDARD_PLACES_PER_10K}" in parameters
    assert f"refuge_share: float = {config.DEFAULT_REFUGE_SHARE}" in parameters
    assert f'demand_year: str = "{config.DEFAULT_DEMAND_YEAR}"' in parameters
    headings = [
        line
        for cell in nb["cells"]
        if cell["cell_type"] == "markdown"
        for line in "".join(cell["source"]).splitlines()
        if line.startswith("## ")
    ]
    assert headings[0] == "## Headline"
    assert headings[-3:] == ["## Sources", "## Methods, assumptions and caveats", "## Reproduce"]
