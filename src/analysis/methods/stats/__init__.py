"""Public health statistics for needs assessments, following OHID Fingertips conventions.

One flat, verb-first API:

========================================  ==================================================
Function                                  Method (source)
========================================  ==================================================
:func:`wilson_interval`                   Wilson score interval for a proportion
                                          (Wilson 1927; Newcombe 1998)
:func:`byar_interval`                     Byar's approximation for a Poisson count
                                          (Breslow & Day 1987)
:func:`exact_poisson_interval`            Exact Poisson limits via chi-square quantiles
                                          (Garwood 1936; Ulm 1990)
:func:`count_interval`                    Byar at or above ``BYAR_MIN_COUNT`` events, exact
                                          Poisson below (Fingertips rule)
:func:`crude_rate`                        Crude rate per ``per`` population with its interval
:func:`dsr`                               Directly standardised rate, Dobson et al. (1991)
:func:`funnel_limits_proportion`          Funnel plot control limits for proportions (Wilson)
:func:`funnel_limits_rate`                Funnel plot control limits for rates (exact Poisson)
:func:`classify_against_funnel`           "within 95%", "above 99.8%" ...
:func:`suppress_small_counts`             Small-number suppression of a table to publish
:func:`suppression_footnote`              The footnote that explains the marker
:func:`is_suppressed`                     Whether a cell holds the suppression marker
:func:`check_confidence`                  Check a two-sided confidence level
:func:`z_value`                           Its standard normal quantile
:func:`rate_column`                       Name of the rate column for a multiplier
========================================  ==================================================

The functions live in the modules of this subpackage and are imported here, so callers
write ``from analysis.methods import stats; stats.wilson_interval(...)``:

* :mod:`~analysis.methods.stats.arguments` - argument checks and shapes (``check_confidence``, ``z_value``);
* :mod:`~analysis.methods.stats.intervals` - Wilson, Byar, exact Poisson and the Fingertips count rule;
* :mod:`~analysis.methods.stats.rates` - crude rates and directly standardised rates;
* :mod:`~analysis.methods.stats.funnel` - funnel plot limits and classification against them;
* :mod:`~analysis.methods.stats.suppression` - small-number suppression.

Conventions
-----------
* ``confidence`` is an argument of every interval function (default
  ``config.DEFAULT_CONFIDENCE``) and is a two-sided level: 0.95 means 2.5% in each tail.
* Inputs may be scalars, lists, numpy arrays or pandas Series. Interval functions return
  the same shape: floats for scalars, arrays for arrays and lists, Series (with the
  input's index) for Series. Several array arguments are broadcast against each other;
  Series arguments must share one index.
* Arguments are checked before any arithmetic. A bad value raises
  :class:`analysis.errors.ParameterError` whose message names the argument and the value
  (and, for arrays, where it is). Missing values (NaN) are refused rather than carried
  through silently: drop or impute them first.
* Counts (numerators, event counts) must be whole numbers >= 0; integer-valued floats
  such as ``30.0`` are accepted. Denominators and populations must be > 0 and may be
  fractional (modelled population estimates are).

References
----------
* Public Health England (2018). *Technical Guide: Confidence Intervals.* PHE / OHID
  Fingertips technical guidance.
* Public Health England (2018). *Technical Guide: Calculating directly standardised rates.*
* Public Health England (2018). *Technical Guide: Funnel plots.*
* Wilson EB (1927). Probable inference, the law of succession, and statistical inference.
  *J Am Stat Assoc* 22:209-212.
* Newcombe RG (1998). Two-sided confidence intervals for the single proportion: comparison
  of seven methods. *Stat Med* 17:857-872.
* Breslow NE, Day NE (1987). *Statistical Methods in Cancer Research, Vol. II: The Design
  and Analysis of Cohort Studies.* IARC Scientific Publications No. 82 (Byar's method).
* Garwood F (1936). Fiducial limits for the Poisson distribution. *Biometrika* 28:437-442.
* Ulm K (1990). A simple method to calculate the confidence interval of a standardized
  mortality ratio. *Am J Epidemiol* 131:373-375.
* Dobson AJ, Kuulasmaa K, Eberle E, Scherer J (1991). Confidence intervals for weighted
  sums of Poisson parameters. *Stat Med* 10:457-462.
* Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance.
  *Stat Med* 24:1185-1202.
* Government Statistical Service. *Statistical disclosure control* and *Symbols in tables*
  guidance ("[c]" = confidential).
"""

from __future__ import annotations

from analysis.methods.stats.arguments import check_confidence, z_value
from analysis.methods.stats.funnel import classify_against_funnel, funnel_limits_proportion, funnel_limits_rate
from analysis.methods.stats.intervals import (
    METHOD_BYAR,
    METHOD_EXACT_POISSON,
    byar_interval,
    count_interval,
    exact_poisson_interval,
    wilson_interval,
)
from analysis.methods.stats.rates import DSR_NOT_PUBLISHED_NOTE, METHOD_DOBSON, crude_rate, dsr, rate_column
from analysis.methods.stats.suppression import is_suppressed, suppress_small_counts, suppression_footnote

__all__ = [
    "METHOD_BYAR",
    "METHOD_DOBSON",
    "METHOD_EXACT_POISSON",
    "DSR_NOT_PUBLISHED_NOTE",
    "check_confidence",
    "z_value",
    "wilson_interval",
    "byar_interval",
    "exact_poisson_interval",
    "count_interval",
    "rate_column",
    "crude_rate",
    "dsr",
    "funnel_limits_proportion",
    "funnel_limits_rate",
    "classify_against_funnel",
    "suppress_small_counts",
    "suppression_footnote",
    "is_suppressed",
]
