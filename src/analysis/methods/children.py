"""Children living in households with domestic abuse: a national rate per 1,000 applied to local children.

:func:`estimate_children` applies a published national rate per 1,000 children (the
``children_rates`` table, e.g. Childhood Local Data on Risks and Needs, 2019: 66 in 1,000
children aged 0-17 living in households where a parent is experiencing domestic abuse) to the
area's population of that age (ONS Census 2021, :mod:`analysis.methods.population`). The rate
is national; the estimate assumes it holds locally. :mod:`analysis.methods.prevalence`
re-exports these functions.

References
----------
Children's Commissioner for England, Childhood Local Data on Risks and Needs (CHLDRN), 2019;
each rate's source is named on its row of ``children_rates``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from analysis import config
from analysis.data import tables
from analysis.errors import ParameterError
from analysis.methods import areas, population

__all__ = ["CHILDREN_COLUMNS", "estimate_children", "estimate_children_all_areas", "select_children_rate"]

CHILDREN_COLUMNS = [
    "area_code",
    "area_name",
    "indicator",
    "age_band",
    "population",
    "rate_per_1000",
    "estimate",
    "ci_lower",
    "ci_upper",
    "year",
    "rate_geography_code",
    "source",
    "note",
]


def select_children_rate(indicator: str = config.CHILDREN_DEFAULT_INDICATOR, year: int | None = None) -> pd.Series:
    """One row of the ``children_rates`` table: the indicator's rate for ``year`` (default: latest)."""
    rates = tables.read_table("children_rates")
    known = sorted(rates["indicator"].unique())
    if indicator not in known:
        raise ParameterError(f"Unknown children's indicator {indicator!r}.", f"Use one of: {', '.join(known)}.")
    rows = rates[rates["indicator"] == indicator]
    if year is None:
        year = int(rows["year"].max())
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)) or year not in set(rows["year"]):
        raise ParameterError(
            f"No {indicator} rate for year {year!r}.",
            f"Available years: {', '.join(str(y) for y in sorted(rows['year'].unique()))}.",
        )
    return rows[rows["year"] == year].iloc[0]


def estimate_children(
    areas_: str | Iterable[str],
    indicator: str = config.CHILDREN_DEFAULT_INDICATOR,
    year: int | None = None,
) -> pd.DataFrame:
    """Children living in households with domestic abuse: a national rate per 1,000 x local children.

    Parameters
    ----------
    areas_
        Code(s) or name(s) of authorities, regions or England.
    indicator, year
        Which row of the ``children_rates`` table (default: the latest year of the
        Childhood Local Data on Risks and Needs figure).

    Returns
    -------
    pandas.DataFrame
        :data:`CHILDREN_COLUMNS`: ``population`` (persons in the rate's age band, Census 2021),
        ``rate_per_1000``, ``estimate`` = population x rate / 1,000, ``ci_lower``/``ci_upper``
        (NaN: no interval was published), ``year``, ``source`` and a ``note`` that the
        rate is national and applied locally.
    """
    rate = select_children_rate(indicator, year)
    queries = [areas_] if isinstance(areas_, str) else list(areas_)
    if not queries:
        raise ParameterError("No area given.", "Pass an authority, region or England code or name.")
    resolved = [areas.resolve_area(q) for q in queries]
    codes = [a.code for a in resolved]
    low, high = population.parse_age_band(rate["age_band"])
    pop = population.total_population(codes, min_age=low, max_age=high).reindex(codes)
    estimate = pop * rate["rate_per_1000"] / 1000
    has_ci = pd.notna(rate["ci_lower"]) and pd.notna(rate["ci_upper"])
    where = rate["source_url"] if isinstance(rate["source_url"], str) else f"cited in {rate['source_document']}"
    return pd.DataFrame(
        {
            "area_code": codes,
            "area_name": [a.name for a in resolved],
            "indicator": indicator,
            "age_band": rate["age_band"],
            "population": pop.to_numpy(),
            "rate_per_1000": float(rate["rate_per_1000"]),
            "estimate": estimate.to_numpy(),
            "ci_lower": (pop * rate["ci_lower"] / 1000).to_numpy() if has_ci else np.nan,
            "ci_upper": (pop * rate["ci_upper"] / 1000).to_numpy() if has_ci else np.nan,
            "year": int(rate["year"]),
            "rate_geography_code": rate["geography_code"],
            "source": f"{rate['source_title']}, {int(rate['year'])} ({where})",
            "note": (
                f"A national rate ({rate['geography_code']}, {int(rate['year'])}) applied to the area's population "
                f"aged {rate['age_band']} (ONS Census 2021): it assumes the national rate holds locally."
            ),
        },
        columns=CHILDREN_COLUMNS,
    )


def estimate_children_all_areas() -> pd.DataFrame:
    """:func:`estimate_children` for every upper-tier authority, region and England (default rate)."""
    return estimate_children(areas.list_areas()["area_code"].tolist())
