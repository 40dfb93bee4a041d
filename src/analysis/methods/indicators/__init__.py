"""Indicators for maps and comparisons, each declared once.

An :class:`Indicator` says everything the maps, funnel plots, dot plots and comparison
tables need, so a new indicator is one :func:`declare` call and no new plotting code:

* ``numerator`` - a callable ``numerator(confidence) -> DataFrame`` giving, per
  ``area_code`` (upper-tier authorities, regions, England), the count or estimate in a
  column ``numerator`` and, when the estimate carries its own interval, ``numerator_lower``
  and ``numerator_upper``. An area that is missing, or whose numerator is missing, has **no
  data** (it is shown hatched and labelled, never as zero). :func:`numerator_from` adapts
  any tidy frame keyed by ``area_code``;
* ``denominator`` - a :class:`Denominator`: the population (sex, ages) from the processed
  ``population`` table that the rate is per;
* the unit (``per``: per 100,000 of that population by default, per 1,000 - MHCLG's rate per
  1,000 households - or per cent for a share), the interval method and why, the manifest ids
  of the sources, a caveat, what the map shows and does not show, whether a higher value is
  worse, and whether the value differs between areas at all (``varies_by_area``: False for
  one national rate applied to local populations, which gets one sentence, no map).

:func:`compute_indicator` turns a declaration into one tidy frame: ``area_code``,
``area_name``, ``level``, ``region_code``, ``numerator``, ``denominator``, the value in the
column named for its unit (``rate_per_100k``, ``rate_per_1k`` or ``percent``:
:func:`value_column`), ``ci_lower``, ``ci_upper`` (same unit), ``has_data`` for every
reporting area.

Interval methods (PHE Technical Guide: Confidence Intervals, 2018; OHID Fingertips):

``"poisson"``    observed counts of events or people: Byar at 10 or more, exact Poisson
                 below (:func:`analysis.methods.stats.crude_rate`).
``"wilson"``     proportions, where the numerator is a subset of the denominator
                 (:func:`analysis.methods.stats.wilson_interval`).
``"numerator"``  estimates that carry their own interval (e.g. a synthetic estimate whose
                 interval comes from the survey rate): the interval is divided by the
                 denominator.
``"none"``       no interval, with the reason stated in ``interval_reason`` (exact
                 population counts, administrative counts, published rates without one).

Modules: :mod:`~analysis.methods.indicators.registry` (the declaration classes, the
registry and the computation) and :mod:`~analysis.methods.indicators.catalogue` (the
declared indicators, registered whenever this package is imported). Every name is imported
here, so callers write ``from analysis.methods import indicators; indicators.compute_indicator(...)``.
"""

from __future__ import annotations

from analysis.methods.indicators import (
    catalogue,
    homelessness_catalogue,  # noqa: F401 - declares the homelessness indicators
)
from analysis.methods.indicators.catalogue import (
    ADULTS_DENOMINATOR_RANGE,
    partner_abuse_numerator,
    partner_abuse_reference,
    population_numerator,
    population_share,
)
from analysis.methods.indicators.registry import (
    FRAME_COLUMNS,
    FUNNEL_KINDS,
    INTERVAL_METHODS,
    VALUE_COLUMNS,
    Denominator,
    Indicator,
    NumeratorFn,
    check_indicator_selection,
    compute_indicator,
    declare,
    describe_indicators,
    england_value,
    frame_columns,
    get_indicator,
    indicator_ids,
    list_indicators,
    numerator_from,
    value_column,
)

__all__ = [
    "ADULTS_DENOMINATOR_RANGE",
    "FRAME_COLUMNS",
    "FUNNEL_KINDS",
    "INTERVAL_METHODS",
    "VALUE_COLUMNS",
    "Denominator",
    "Indicator",
    "NumeratorFn",
    "catalogue",
    "check_indicator_selection",
    "compute_indicator",
    "declare",
    "describe_indicators",
    "england_value",
    "frame_columns",
    "get_indicator",
    "indicator_ids",
    "list_indicators",
    "numerator_from",
    "value_column",
    "partner_abuse_numerator",
    "partner_abuse_reference",
    "population_numerator",
    "population_share",
]
