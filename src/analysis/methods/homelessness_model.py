"""Comparisons of homelessness counts: between authorities adjusted for deprivation (Poisson and negative
binomial models), and between one authority's years (:func:`compare_years`).

Model
-----
For the upper-tier authorities with a complete year (:mod:`analysis.methods.homelessness`), the
count ``y_i`` of households owed a duty because of domestic abuse (or with a domestic abuse
support need) is modelled on the authority's IoD 2019 average score ``s_i``
(:func:`analysis.methods.deprivation.deprivation_by_authority`, Index of Multiple Deprivation by
default) with the offset ``log(households_i)``::

    log E[y_i] = b0 + b1 * s_i + log(households_i)

as a Poisson GLM and as a negative binomial (NB2: variance ``mu + alpha * mu^2``) with ``alpha``
estimated by maximum likelihood (``statsmodels.discrete.discrete_model.NegativeBinomial``), then
refitted as ``statsmodels.genmod.generalized_linear_model.GLM`` with
``families.NegativeBinomial(alpha)`` at that ``alpha`` for its Pearson statistic (the coefficients
are the same).

The offset is households in the area (MHCLG's A1 figure, the mean of the year's four quarters)
because the count is of households and MHCLG states these rates per 1,000 households; a
residents offset (``offset="residents"``, Census 2021) would fold household size into the
comparison (areas with larger households would look lower). Before 2019-20 A1 publishes no
households, so only the residents offset is possible there.

Fit and choice
--------------
Reported per model: coefficients with standard errors, the rate ratio per 10 points of the
score, Pearson chi-square / residual degrees of freedom (about 1 if the variance is as the model
says; far above 1 is over-dispersion), log-likelihood and AIC (the negative binomial's counts
``alpha``). The negative binomial is chosen when the likelihood-ratio test of ``alpha = 0``
rejects the Poisson at :data:`config.HOMELESSNESS_OVERDISPERSION_TEST_LEVEL` (``alpha = 0`` is on
the boundary, so the p-value is half the chi-square(1) tail: Cameron and Trivedi, *Regression
Analysis of Count Data*, 2013, section 3.4); otherwise the Poisson.

Observed / expected
-------------------
Each authority's expected count is the chosen model's fitted mean: what an authority of its
deprivation and size would have if the relation held exactly. The ratio observed / expected has
the interval of the observed count (Byar at 10 or more, exact Poisson below:
:func:`analysis.methods.stats.count_interval`) divided by the expected count, as PHE does for
indirectly standardised ratios (PHE Technical Guide: Confidence Intervals, 2018). That interval
is Poisson noise only: where the model finds over-dispersion, more authorities lie outside 1
than chance alone would put there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import config
from analysis.data import memo
from analysis.errors import DataFileError, ParameterError
from analysis.methods import deprivation, homelessness, stats

OFFSETS = ("households", "residents")
MODELS = ("poisson", "negative binomial")
#: The rate ratio is reported per this many points of the IoD average score.
SCORE_STEP = 10


@dataclass(frozen=True)
class DeprivationModel:
    """The result of :func:`deprivation_model`.

    Attributes
    ----------
    year, measure, offset, domain
        What was modelled.
    authorities
        One row per modelled authority: ``area_code``, ``area_name``, ``region_code``,
        ``observed``, ``exposure`` (households or residents), ``score``, ``expected`` (chosen
        model), ``ratio`` (observed / expected), ``ratio_lower``, ``ratio_upper``, ``method``
        (Byar or exact Poisson), ``compared`` ("higher than expected", "lower than expected",
        "similar to expected") and ``expected_poisson``, ``expected_negative_binomial``.
    excluded
        The authorities left out (``area_code``, ``area_name``, ``note``): no complete year.
    fits
        One row per model: ``model``, ``intercept``, ``intercept_se``, ``slope``, ``slope_se``,
        ``rate_ratio_per_10_points``, ``alpha`` (NaN for Poisson), ``pearson_chi2``,
        ``df_resid``, ``dispersion`` (Pearson chi2 / df), ``log_likelihood``, ``aic``.
    chosen
        "poisson" or "negative binomial".
    lr_statistic, lr_p_value
        The likelihood-ratio test of ``alpha = 0`` (boundary-corrected p-value).
    confidence
        Level of the ratio intervals.
    """

    year: str
    measure: str
    offset: str
    domain: str
    authorities: pd.DataFrame
    excluded: pd.DataFrame
    fits: pd.DataFrame
    chosen: str
    lr_statistic: float
    lr_p_value: float
    confidence: float

    def fit(self, model: str | None = None) -> pd.Series:
        """The fit row of ``model`` (default: the chosen one)."""
        name = self.chosen if model is None else model
        if name not in MODELS:
            raise ParameterError(f"model must be one of {', '.join(MODELS)}, got {model!r}.")
        return self.fits.set_index("model").loc[name]


def model_year(year: str | None, measure: str, offset: str) -> str:
    """The financial year modelled: ``year`` checked, or the latest with the measure and the offset published."""
    homelessness.check_measure(measure, ("da_reason", "da_need"))
    if offset not in OFFSETS:
        raise ParameterError(f"offset must be one of {', '.join(OFFSETS)}, got {offset!r}.")
    return homelessness.check_year(year, *((measure, "households") if offset == "households" else (measure,)))


def model_data(
    year: str | None = None, measure: str = "da_reason", offset: str = "households", domain: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The authorities to model (complete year, exposure known) and those left out, with the reason.

    Returns
    -------
    tuple of DataFrame
        ``(data, excluded)``: ``data`` has ``area_code``, ``area_name``, ``region_code``,
        ``observed``, ``exposure``, ``score``; ``excluded`` has ``area_code``, ``area_name``,
        ``note``.
    """
    year = model_year(year, measure, offset)
    values = homelessness.annual_measures(year)
    values = values[values["level"] == "utla"]
    scores = deprivation.deprivation_by_authority(domain or deprivation.DEFAULT_DOMAIN).set_index("area_code")
    frame = pd.DataFrame(
        {
            "area_code": values["area_code"],
            "area_name": values["area_name"],
            "region_code": values["region_code"],
            "observed": values[measure],
            "exposure": values[offset],
            "score": values["area_code"].map(scores["average_score"]),
            "note": values[f"{measure}_note"].where(
                values[measure].isna() | (offset == "residents"), values.get(f"{offset}_note")
            ),
        }
    )
    if frame["score"].isna().any():
        missing = frame.loc[frame["score"].isna(), "area_code"].tolist()
        raise DataFileError(f"No IoD 2019 score for {', '.join(missing[:5])}.", "Rebuild the data.")
    usable = frame["observed"].notna() & frame["exposure"].notna() & (frame["exposure"] > 0)
    if usable.sum() < 3:
        raise DataFileError(f"Only {int(usable.sum())} authorities have a complete {year}: too few to model.")
    data = frame.loc[usable].drop(columns="note").reset_index(drop=True)
    return data, frame.loc[~usable, ["area_code", "area_name", "note"]].reset_index(drop=True)


def _fit_row(model: str, result, alpha: float, aic: float, llf: float) -> dict:
    params, errors = result.params, result.bse
    return {
        "model": model,
        "intercept": float(params["const"]),
        "intercept_se": float(errors["const"]),
        "slope": float(params["score"]),
        "slope_se": float(errors["score"]),
        "rate_ratio_per_10_points": float(np.exp(SCORE_STEP * params["score"])),
        "alpha": alpha,
        "pearson_chi2": float(result.pearson_chi2),
        "df_resid": float(result.df_resid),
        "dispersion": float(result.pearson_chi2 / result.df_resid),
        "log_likelihood": llf,
        "aic": aic,
    }


def deprivation_model(
    year: str | None = None,
    measure: str = "da_reason",
    offset: str = "households",
    domain: str | None = None,
    confidence: float = config.DEFAULT_CONFIDENCE,
) -> DeprivationModel:
    """Fit the Poisson and negative binomial models of the module docstring and compare authorities.

    Parameters
    ----------
    year
        Financial year; the latest with four published quarters by default.
    measure
        "da_reason" (owed a duty because of domestic abuse) or "da_need" (support need).
    offset
        "households" (default) or "residents".
    domain
        IoD 2019 index or domain (default the Index of Multiple Deprivation).
    confidence
        Two-sided level of the observed / expected intervals.

    Raises
    ------
    DataFileError
        If the negative binomial fit does not converge, or too few authorities are complete.
    """
    level = stats.check_confidence(confidence)
    year = model_year(year, measure, offset)
    domain = domain or deprivation.DEFAULT_DOMAIN
    return DeprivationModel(year=year, measure=measure, offset=offset, domain=domain, confidence=level,
                            **_fit(year, measure, offset, domain, level))  # fmt: skip


@memo.memoize(memo.ALL_TABLES)
def _fit(year: str, measure: str, offset: str, domain: str, level: float) -> dict:
    """The fitted parts of :class:`DeprivationModel` (memoised: a report draws and words one model)."""
    # The models' own modules, not statsmodels.api (which imports every model and plot: 0.35 s
    # of CPU in each process that fits this, against 0.1 s).
    from scipy import stats as sps
    from statsmodels.discrete.discrete_model import NegativeBinomial
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.tools import add_constant

    data, excluded = model_data(year, measure, offset, domain)
    exog = add_constant(data[["score"]])
    log_exposure = np.log(data["exposure"])
    poisson = GLM(data["observed"], exog, family=families.Poisson(), offset=log_exposure).fit()
    discrete = NegativeBinomial(data["observed"], exog, loglike_method="nb2", offset=log_exposure).fit(
        disp=False, maxiter=200
    )
    if not discrete.mle_retvals.get("converged", False):
        raise DataFileError(
            "The negative binomial model did not converge.", "Check the counts; report the Poisson fit only."
        )
    alpha = float(discrete.params["alpha"])
    negbin = GLM(data["observed"], exog, family=families.NegativeBinomial(alpha=alpha), offset=log_exposure).fit()
    lr = max(0.0, 2 * (float(discrete.llf) - float(poisson.llf)))
    p_value = 0.5 * float(sps.chi2.sf(lr, 1))
    chosen = "negative binomial" if p_value < config.HOMELESSNESS_OVERDISPERSION_TEST_LEVEL else "poisson"
    fits = pd.DataFrame(
        [
            _fit_row("poisson", poisson, float("nan"), float(poisson.aic), float(poisson.llf)),
            _fit_row("negative binomial", negbin, alpha, float(discrete.aic), float(discrete.llf)),
        ]
    )
    expected = {"poisson": np.asarray(poisson.mu), "negative binomial": np.asarray(negbin.mu)}
    lower, upper = stats.count_interval(data["observed"].to_numpy(), level)
    chosen_expected = expected[chosen]
    authorities = data.assign(
        expected=chosen_expected,
        ratio=data["observed"] / chosen_expected,
        ratio_lower=np.asarray(lower) / chosen_expected,
        ratio_upper=np.asarray(upper) / chosen_expected,
        method=np.where(data["observed"] >= config.BYAR_MIN_COUNT, stats.METHOD_BYAR, stats.METHOD_EXACT_POISSON),
        expected_poisson=expected["poisson"],
        expected_negative_binomial=expected["negative binomial"],
    )
    authorities["compared"] = np.select(
        [authorities["ratio_lower"] > 1, authorities["ratio_upper"] < 1],
        ["higher than expected", "lower than expected"],
        "similar to expected",
    )
    return {
        "authorities": authorities,
        "excluded": excluded,
        "fits": fits,
        "chosen": chosen,
        "lr_statistic": lr,
        "lr_p_value": p_value,
    }


def compare_years(
    area_code: str,
    year: str | None = None,
    measure: str = "da_reason",
    confidence: float = config.DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """The year's count against the previous complete year and the first year of the series.

    Both years' rates have the same denominator (Census 2021 residents), so their ratio is the
    ratio of the counts ``a`` (this year) and ``b`` (the earlier year). Given ``a + b``, ``a`` is
    binomial with ``p = ratio / (1 + ratio)``; the Wilson interval of ``p`` (:func:`stats.wilson_interval`)
    gives the ratio's interval, and the years differ when it excludes 1 (the conditional test of
    two Poisson rates: Przyborowski and Wilenski, *Biometrika* 31, 1940).

    Returns
    -------
    pandas.DataFrame
        One row per earlier year compared (the previous year and the series' first year with a
        value, once each): ``financial_year``, ``earlier_year``, ``count``, ``earlier_count``,
        ``ratio``, ``ratio_lower``, ``ratio_upper``, ``direction`` ("higher", "lower",
        "similar") and ``breaks`` (the series breaks between the two years, "; " separated).
        Empty when the year, or every earlier year, has no value.
    """
    level = stats.check_confidence(confidence)
    year = homelessness.check_year(year, measure)
    series = homelessness.trend(area_code, measure, period="financial_year")
    own = series[(series["area_code"] == area_code) & series["complete"]].set_index("period")
    columns = ["financial_year", "earlier_year", "count", "earlier_count", "ratio", "ratio_lower", "ratio_upper"]
    if year not in own.index:
        return pd.DataFrame(columns=[*columns, "direction", "breaks"])
    earlier = [y for y in own.index if y < year]
    chosen = list(dict.fromkeys([y for y in (earlier[-1:] + earlier[:1]) if y]))
    breaks = homelessness.series_breaks(area_code, measure)
    rows = []
    for before in chosen:
        a, b = float(own.loc[year, "count"]), float(own.loc[before, "count"])
        if a + b == 0:
            continue
        low, high = stats.wilson_interval(a, a + b, level)
        between = breaks[(breaks["financial_year"] > before) & (breaks["financial_year"] <= year)]
        rows.append(
            {
                "financial_year": year,
                "earlier_year": before,
                "count": a,
                "earlier_count": b,
                "ratio": a / b if b else float("inf"),
                "ratio_lower": low / (1 - low) if low < 1 else float("inf"),
                "ratio_upper": high / (1 - high) if high < 1 else float("inf"),
                "direction": "higher" if low > 0.5 else "lower" if high < 0.5 else "similar",
                "breaks": "; ".join(between["quarter"] + ": " + between["label"]),
            }
        )
    return pd.DataFrame(rows, columns=[*columns, "direction", "breaks"])
