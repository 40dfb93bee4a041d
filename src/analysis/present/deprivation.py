"""How a chapter shows an area's deprivation: the IoD 2019 average score and the workspace's rank, in words and a table.

The figures come from :func:`analysis.methods.deprivation.deprivation_for_area`. Every output
says that the upper-tier score and rank are the workspace's computation from MHCLG's district
summaries (File 10), not MHCLG's own upper-tier summary (File 11).
"""

from __future__ import annotations

import pandas as pd

from analysis.data.steps import census
from analysis.data.steps import deprivation as iod
from analysis.errors import ParameterError
from analysis.methods import deprivation
from analysis.present.numbers import format_number

#: Why deprivation matters for a safe accommodation needs assessment, and what it does not show.
WHY_IT_MATTERS = (
    "Deprivation matters for the assessment because leaving an abuser and finding a safe, settled home "
    "depends on income, work and housing, which the index measures: chapter 02 relates households owed a "
    "homelessness duty because of domestic abuse to this score across authorities. It does not show how many "
    "residents experience domestic abuse or need safe accommodation, nor the circumstances of victims: it is an "
    "average over the area's neighbourhoods (deprived and affluent neighbourhoods sit side by side in most "
    "areas), and its indicators describe the years before 2019."
)
SCORE_COLUMN = "IoD 2019 average score"
RANK_COLUMN = "Rank among {n} upper-tier authorities (1 = most deprived)"


def _check(rows: pd.DataFrame) -> None:
    if not isinstance(rows, pd.DataFrame) or rows.empty:
        raise ParameterError("Expected the non-empty frame of analysis.methods.deprivation.deprivation_for_area.")
    census.require_columns(
        rows, ["role", "area_name", "average_score", "rank_computed", "ranked_among", "n_districts_2019"], "deprivation"
    )


def display_deprivation(rows: pd.DataFrame) -> pd.DataFrame:
    """The deprivation table as published: area, score, the workspace's rank, districts and weights."""
    _check(rows)
    rank = RANK_COLUMN.format(n=int(rows["ranked_among"].iloc[0]))
    return pd.DataFrame(
        {
            "Area": rows["area_name"].to_numpy(),
            SCORE_COLUMN: rows["average_score"].astype(float).to_numpy(),
            rank: rows["rank_computed"].astype("Float64").to_numpy(dtype=float, na_value=float("nan")),
            "2019 districts": rows["n_districts_2019"].to_numpy(),
        }
    )


def table_notes(rows: pd.DataFrame) -> list[str]:
    """Footnotes of :func:`display_deprivation`: the method label and the weights of each row."""
    _check(rows)
    weights = [
        f"Weights for {name}: {basis}."
        for name, basis in zip(rows["area_name"], rows["weight_basis"])
        if basis != deprivation.WEIGHT_CENSUS
    ]
    return [
        f"Score and rank {rows['computed_by'].iloc[0]}. Weights: {deprivation.WEIGHT_CENSUS}.",
        *weights,
        "Regions and England are not ranked ('–'). Higher scores mean more deprivation; a rank is an order, not a "
        "measure of how much more deprived one area is than another.",
    ]


def caption(rows: pd.DataFrame) -> str:
    """The table's caption."""
    _check(rows)
    return (
        f"{rows['area_name'].iloc[0]}: deprivation, English Indices of Deprivation {iod.IOD_YEAR} "
        f"({rows['index_domain'].iloc[0]}), against its comparators"
    )


def describe_deprivation(rows: pd.DataFrame) -> list[str]:
    """Sentences: the area's score and rank beside its comparators, how it was computed, why it matters."""
    _check(rows)
    area = rows.iloc[0]
    others = [f"{r['area_name']} {format_number(r['average_score'], 1)}" for _, r in rows.iloc[1:].iterrows()]
    ranked = (
        f", ranked {format_number(area['rank_computed'])} of {format_number(area['ranked_among'])} upper-tier "
        "authorities (1 = most deprived)"
        if not pd.isna(area["rank_computed"])
        else ""
    )
    first = (
        f"{area['area_name']}'s average score on the {area['index_domain']} {iod.IOD_YEAR} is "
        f"{format_number(area['average_score'], 1)}{ranked}"
        + (f"; {', '.join(others)}" if others else "")
        + ". Higher scores mean more deprivation."
    )
    if int(area["n_districts_2019"]) == 1 and area["role"] == "area" and not pd.isna(area["rank_computed"]):
        how = (
            f"{area['area_name']} is a single district, so its score is MHCLG's own district average score "
            "(File 10); its rank among the upper-tier authorities is this workspace's computation."
        )
    else:
        how = (
            f"The score is the Census 2021 population-weighted mean of the average scores of its "
            f"{format_number(area['n_districts_2019'])} districts."
        )
    label = f"{how} Method: {rows['computed_by'].iloc[0]}."
    return [first, label, WHY_IT_MATTERS]


def source_ids() -> list[str]:
    """Manifest ids of the files behind the deprivation figures."""
    return [iod.IOD_ID, census.TS009_ID]
