"""Homelessness indicators: households owed a duty because of domestic abuse, or with a domestic abuse support need.

Declared (numerators and denominators from :mod:`analysis.methods.homelessness`):

``homelessness_da_per_residents``
    Households owed a prevention or relief duty because of domestic abuse (reason for loss, or
    threat of loss, of the last settled home) per 100,000 usual residents (Census 2021).
``homelessness_da_per_households``
    The same count per 1,000 households in the area (MHCLG's A1 households, the mean of the
    year's four quarters): MHCLG's own unit (``per=1000``; frame column ``rate_per_1k``).
``homelessness_da_share_of_duties``
    That count as a per cent of all households owed a prevention or relief duty (the total of
    the same reason tables), with a Wilson interval (``per=100``; frame column ``percent``).
    The denominator is a count of households too, so a small one is suppressed like the
    numerator (``count_denominator``); a year in which an authority owed no duty at all has
    no share (no data), never 0 / 0.
``homelessness_da_need_per_residents``
    Households owed a duty with the support need "At risk of / has experienced domestic
    abuse" (A3) per 100,000 usual residents.

Each is for the **latest financial year with four published quarters** in the data built
(derived when computed, never typed in, and stated in every heading: ``Indicator.period``).
Another year is chosen by the id with the year as a suffix, e.g.
``homelessness_da_per_residents_2022_23``, which a notebook's ``indicators`` parameter accepts
(:func:`~analysis.methods.indicators.registry.declare_variants`); such ids are not in "all".
An authority whose year is incomplete has no data (see the caveat);
:func:`analysis.methods.homelessness.no_data_notes` names its districts and quarters.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pandas as pd

from analysis import config
from analysis.data.steps import census
from analysis.data.steps import homelessness as workbooks
from analysis.errors import ParameterError
from analysis.methods import homelessness
from analysis.methods.indicators.registry import Denominator, Indicator, declare, declare_variants

_OPTION = re.compile(r"^(20\d\d)_(\d\d)$")


@dataclass(frozen=True)
class _Spec:
    """What differs between the homelessness indicators."""

    title: str
    measure: str
    per: str  # "residents", "households" or "duties"
    numerator_label: str
    shows: str
    does_not_show: str
    unit: str | None = None
    decimals: int = 1
    multiplier: int = config.PER_100K  # the indicator's unit (Indicator.per)


_DA_COUNT = (
    "households owed a prevention or relief duty whose reason for the loss, or threat of loss, of their last "
    "settled home was domestic abuse (MHCLG A2; A2P + A2R from 2020-21 Q2)"
)
_NEED_COUNT = (
    "households owed a prevention or relief duty with the support need 'at risk of / has experienced domestic "
    "abuse' (MHCLG A3)"
)
_NOT_PEOPLE = (
    "how many people experience domestic abuse or need safe accommodation: these are households that asked "
    "a council for help and were owed a duty, as each council records it"
)
SPECS: dict[str, _Spec] = {
    "homelessness_da_per_residents": _Spec(
        "Households owed a homelessness duty because of domestic abuse, by residents",
        "da_reason",
        "residents",
        _DA_COUNT,
        "how many households were owed a homelessness prevention or relief duty because domestic abuse cost them, "
        "or threatened, their home, in the year, for every 100,000 residents",
        _NOT_PEOPLE,
    ),
    "homelessness_da_per_households": _Spec(
        "Households owed a homelessness duty because of domestic abuse, by households in the area",
        "da_reason",
        "households",
        _DA_COUNT,
        "the same households for every 1,000 households in the area, as MHCLG states its rates",
        _NOT_PEOPLE,
        unit="per 1,000 households in the area (MHCLG A1, mean of the year's quarters)",
        decimals=2,
        multiplier=config.PER_1K_HOUSEHOLDS,
    ),
    "homelessness_da_share_of_duties": _Spec(
        "Share of households owed a homelessness duty who are owed it because of domestic abuse",
        "da_reason",
        "duties",
        _DA_COUNT,
        "what per cent of the households owed a prevention or relief duty were owed it because of domestic abuse",
        "how common domestic abuse is: a high share can also mean few other households were owed a duty",
        unit="% of households owed a prevention or relief duty",
        decimals=1,
        multiplier=config.PER_CENT,
    ),
    "homelessness_da_need_per_residents": _Spec(
        "Households owed a homelessness duty with a domestic abuse support need, by residents",
        "da_need",
        "residents",
        _NEED_COUNT,
        "how many households owed a prevention or relief duty had a support need of being at risk of, or "
        "having experienced, domestic abuse, for every 100,000 residents",
        _NOT_PEOPLE + "; a household may have several support needs",
    ),
}
MEASURES_NEEDED = {"residents": (), "households": ("households",), "duties": ("duties",)}
_DENOMINATOR_LABELS = {
    "residents": "usual residents (Census 2021)",
    "households": "households in the area (MHCLG A1, mean of the year's four quarters)",
    "duties": "households owed a prevention or relief duty",
}


def _shortfalls() -> str:
    pairs = config.HOMELESSNESS_FIRST_EDITION_CHECK.items()
    return " and ".join(f"{(1 - first / annual) * 100:.1f}% for the {duty}" for duty, (first, annual) in pairs)


CAVEAT = (
    "Counts of households owed a statutory homelessness prevention or relief duty, not of people, and not of "
    "victims needing refuge; councils record reasons and support needs in different ways. MHCLG's first-edition "
    f"quarters are summed: in {config.HOMELESSNESS_FIRST_EDITION_CHECK_YEAR} they ran below MHCLG's annual release "
    f"by {_shortfalls()} (England). An authority is the sum of its housing authorities on 2021 geography: where a "
    "district is missing in any quarter of the year, or the mapping is not exact, the authority has no data "
    "(never a partial sum); regions and England are MHCLG's totals, rounded to 10 and including MHCLG's "
    "estimates for councils that did not report. The reason series joins one table for both duties (A2, to "
    "2020-21 Q1) with prevention + relief (A2P + A2R, from 2020-21 Q2); from 2023-24 Q2 MHCLG splits domestic "
    "abuse into victim and alleged perpetrator and the total of both is used."
)
_POISSON_REASON = (
    "Byar's method at 10 or more households, exact Poisson below (OHID Fingertips): a year's count of households "
    "owed a duty is treated as a Poisson count. Regional and England counts are MHCLG's rounded totals."
)
_WILSON_REASON = (
    "Wilson score interval (PHE Technical Guide: Confidence Intervals): the households owed a duty because of "
    "domestic abuse are a subset of all households owed a duty in the same table."
)


def _year_of(year: str | None, spec: _Spec) -> str:
    return homelessness.check_year(year, spec.measure, *MEASURES_NEEDED[spec.per])


def _numerator(spec: _Spec, year: str | None):
    def numerator(confidence: float) -> pd.DataFrame:
        values = homelessness.annual_measures(_year_of(year, spec))
        count = values[spec.measure]
        if spec.per != "residents":  # no rate without its denominator, and no share of 0 households
            count = count.where(values[spec.per] > 0)
        return pd.DataFrame({"area_code": values["area_code"], "numerator": count})

    return numerator


def _denominator(spec: _Spec, year: str | None) -> Denominator:
    if spec.per == "residents":
        return Denominator(counts=homelessness.census_residents, label=_DENOMINATOR_LABELS["residents"])

    def counts() -> pd.Series:
        values = homelessness.annual_measures(_year_of(year, spec))
        denominator = values.set_index("area_code")[spec.per]
        return denominator.where(denominator > 0)

    return Denominator(counts=counts, label=_DENOMINATOR_LABELS[spec.per])


@functools.cache
def homelessness_indicator(key: str, year: str | None = None) -> Indicator:
    """The indicator ``key`` of :data:`SPECS` for a financial year (None: the latest complete one).

    The same object is returned for the same arguments, so computed frames are memoised.
    """
    if key not in SPECS:
        raise ParameterError(f"Unknown homelessness indicator {key!r}.", f"Use one of {', '.join(SPECS)}.")
    spec = SPECS[key]
    if year is not None:
        year = _year_of(year, spec)
    sources = workbooks.manifest_source_ids() if year is None else homelessness.year_source_ids(year)
    if spec.per == "residents":
        sources = (*sources, census.TS009_ID)
    proportion = spec.per == "duties"
    return Indicator(
        id=key if year is None else f"{key}_{year.replace('-', '_')}",
        title=spec.title,
        period=functools.partial(_period, spec, year),
        numerator=_numerator(spec, year),
        numerator_label=spec.numerator_label,
        denominator=_denominator(spec, year),
        interval="wilson" if proportion else "poisson",
        interval_reason=_WILSON_REASON if proportion else _POISSON_REASON,
        sources=tuple(sources),
        source_note="Data: MHCLG statutory homelessness detailed local authority tables (H-CLIC), OGL v3"
        + ("; ONS Census 2021 TS009" if spec.per == "residents" else ""),
        caveat=CAVEAT,
        shows=spec.shows,
        does_not_show=spec.does_not_show,
        higher_is_worse=None,
        unit=spec.unit,
        funnel="proportion" if proportion else "rate",
        decimals=spec.decimals,
        count_numerator=True,
        count_denominator=proportion,
        per=spec.multiplier,
    )


def _period(spec: _Spec, year: str | None) -> str:
    """The financial year an indicator is for: ``year``, or the latest complete one (found in the data) when None."""
    return year if year is not None else f"{_year_of(None, spec)}, the latest complete financial year"


def _variant(key: str):
    def build(option: str) -> Indicator:
        match = _OPTION.match(option)
        if not match:
            raise ParameterError(
                f"Indicator '{key}_{option}': the suffix must be a financial year such as 2022_23.",
                f"For example {key}_2022_23.",
            )
        return homelessness_indicator(key, f"{match.group(1)}-{match.group(2)}")

    return build


for _key in SPECS:
    declare(homelessness_indicator(_key))
    declare_variants(f"{_key}_", _variant(_key))
