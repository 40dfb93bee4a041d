"""Population by area, single year of age and sex; age bands.

The population base of every rate and estimate is the processed ``population`` table: ONS
Census 2021 usual residents on Census Day (21 March 2021) by sex and single year of age
(TS009, lower-tier authorities on 2021 codes, summed to upper-tier authorities, regions and
England; :mod:`analysis.data.steps.population`). Female and male counts are observed at
every age, not split from persons; persons = female + male. The ``sex_basis`` column of
every row says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from analysis.data import memo, tables
from analysis.errors import ParameterError

MAX_AGE = 90  # the ONS single-year tables end in an open band "90+", stored as age 90
SEXES = ("persons", "female", "male")


# ------------------------------------------------------------------------------------------
# Queries on the processed ``population`` table
# ------------------------------------------------------------------------------------------


def _check_sex(sex: str) -> None:
    if sex not in SEXES:
        raise ParameterError(f"sex must be one of {', '.join(SEXES)}, got {sex!r}.")


def _check_ages(min_age: int, max_age: int | None) -> None:
    top = MAX_AGE if max_age is None else max_age
    if not (isinstance(min_age, int) and 0 <= min_age <= MAX_AGE):
        raise ParameterError(f"min_age must be a whole number from 0 to {MAX_AGE}, got {min_age!r}.")
    if not (isinstance(top, int) and min_age <= top <= MAX_AGE):
        raise ParameterError(f"max_age must be a whole number from min_age ({min_age}) to {MAX_AGE}, got {max_age!r}.")


def get_population(
    area_codes: str | Iterable[str] | None = None,
    *,
    sex: str = "persons",
    min_age: int = 0,
    max_age: int | None = None,
) -> pd.DataFrame:
    """Population by single year of age for one or more areas.

    Parameters
    ----------
    area_codes
        GSS code(s) of upper-tier authorities, regions or England; all areas when omitted.
    sex
        "persons", "female" or "male" (all observed in Census 2021; see the ``sex_basis``
        column).
    min_age, max_age
        Inclusive single-year range; ``max_age=None`` includes the open band 90+.

    Returns
    -------
    pandas.DataFrame
        Tidy rows of the processed ``population`` table.
    """
    _check_sex(sex)
    _check_ages(min_age, max_age)
    return _population_rows(_codes_key(area_codes), sex, min_age, max_age)


def _codes_key(area_codes: str | Iterable[str] | None) -> tuple[str, ...] | None:
    """Area codes as a hashable tuple (order kept), so repeated queries are memoised."""
    if area_codes is None:
        return None
    return (area_codes,) if isinstance(area_codes, str) else tuple(area_codes)


@memo.memoize("population")
def _population_rows(codes: tuple[str, ...] | None, sex: str, min_age: int, max_age: int | None) -> pd.DataFrame:
    """The rows of :func:`get_population` (memoised per process while the table is unchanged)."""
    pop = tables.read_table("population")
    if codes is not None:
        positions = _row_positions(pop)
        unknown = sorted(set(codes) - set(positions))
        if unknown:
            raise ParameterError(
                f"No population for area code(s) {', '.join(unknown)}.",
                "Use an upper-tier authority, region or England code (see 'analysis areas list').",
            )
        pop = pop.take(np.sort(np.concatenate([positions[code] for code in set(codes)])))
    rows = pop[
        (pop["sex"] == sex) & (pop["age"] >= min_age) & (pop["age"] <= (MAX_AGE if max_age is None else max_age))
    ]
    return rows.reset_index(drop=True)


def _row_positions(pop: pd.DataFrame) -> dict[str, np.ndarray]:
    """Area code -> positions of its rows in a population table object (built once per object), so
    a query for a few areas reads their rows instead of scanning the whole table."""
    return memo.derived(
        pop,
        "row_positions",
        lambda table: {code: np.asarray(rows) for code, rows in table.groupby("area_code").indices.items()},
    )


def total_population(
    area_codes: str | Iterable[str] | None = None,
    *,
    sex: str = "persons",
    min_age: int = 0,
    max_age: int | None = None,
) -> pd.Series:
    """Total population per area (indexed by ``area_code``) over an age range and sex."""
    _check_sex(sex)
    _check_ages(min_age, max_age)
    return _population_totals(_codes_key(area_codes), sex, min_age, max_age)


@memo.memoize("population")
def _population_totals(codes: tuple[str, ...] | None, sex: str, min_age: int, max_age: int | None) -> pd.Series:
    rows = _population_rows(codes, sex, min_age, max_age)
    return rows.groupby("area_code", sort=True)["population"].sum().rename("population")


def age_band_label(lower: int, upper: int | None) -> str:
    """Label an inclusive age band: ``(16, 19) -> "16-19"``, ``(75, None) -> "75+"``."""
    return f"{lower}+" if upper is None else f"{lower}-{upper}"


def parse_age_band(label: str) -> tuple[int, int | None]:
    """Parse "16-19" -> (16, 19) and "16+" -> (16, None); raise ParameterError otherwise."""
    text = str(label).strip()
    try:
        if text.endswith("+"):
            return int(text[:-1]), None
        low, high = text.split("-")
        low_i, high_i = int(low), int(high)
    except ValueError:
        raise ParameterError(f"Age band {label!r} is not of the form '16-19' or '75+'.") from None
    if low_i > high_i:
        raise ParameterError(f"Age band {label!r} has its lower age above its upper age.")
    return low_i, high_i


def band_population(
    area_codes: str | Iterable[str] | None,
    bands: Sequence[str],
    *,
    sex: str = "persons",
) -> pd.DataFrame:
    """Population in each labelled age band (e.g. ``["16-19", "20-24", "75+"]``) per area.

    Returns a tidy frame with ``area_code``, ``sex``, ``age_band``, ``population``.
    """
    frames = []
    for band in bands:
        low, high = parse_age_band(band)
        totals = total_population(area_codes, sex=sex, min_age=low, max_age=high)
        frames.append(totals.reset_index().assign(sex=sex, age_band=band))
    return pd.concat(frames, ignore_index=True)[["area_code", "sex", "age_band", "population"]]
