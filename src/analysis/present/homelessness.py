"""How the homelessness evidence is shown: the headline, caveats, model wording, back-test and two figures.

Numbers come from :mod:`analysis.methods.homelessness`, :mod:`analysis.methods.homelessness_model`
and the declared indicators (:mod:`analysis.methods.indicators.homelessness_catalogue`), so a
sentence, a map and a table show the same value. Every count that reaches a sentence, a chart
label or alt text passes :func:`analysis.methods.stats.suppress_small_counts` first: a count of 1
to 4, and any rate made from it, shows as the suppression marker. Figures return
``(figure, alt_text)`` for :func:`analysis.present.report.figure`.

Size: about 570 lines for one job, the homelessness evidence as readers see it (sentences,
caveats, model wording, back-test wording and the two figures), kept together so each sentence
and chart applies the same suppression to the same numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis import config
from analysis.methods import areas, homelessness, homelessness_model, indicators, stats
from analysis.methods.indicators import homelessness_catalogue as catalogue
from analysis.present.map_classes import count_columns
from analysis.present.numbers import format_number, format_percent

WHAT = {
    "da_reason": "households owed a homelessness prevention or relief duty because of domestic abuse",
    "da_need": "households owed a homelessness prevention or relief duty with a domestic abuse support need",
}
#: The same, as a verb phrase after "N households in <area>".
OWED = {
    "da_reason": "were owed a homelessness prevention or relief duty because of domestic abuse",
    "da_need": "were owed a homelessness prevention or relief duty and had a domestic abuse support need",
}
#: Chart titles.
TITLES = {
    "da_reason": "households owed a homelessness duty because of domestic abuse",
    "da_need": "households owed a homelessness duty with a domestic abuse support need",
}
SOURCE = "Source: MHCLG statutory homelessness detailed local authority tables (first editions), OGL v3"
MODEL_ADJUSTS = (
    "The deprivation model adjusts for one thing, area deprivation (the IoD 2019 average score), and scales "
    "each authority's count by its number of households. It cannot adjust for how councils record the reason "
    "and support needs, for local housing markets (how easily a household can move), for the refuges, "
    "outreach and other services available, or for who comes to the council for help (victims who go "
    "straight to a refuge or to family are not counted). An authority above or below its expected count is "
    "a question to ask of local services, not a measure of how much abuse there is."
)


def _area(area: Any) -> areas.Area:
    return area if isinstance(area, areas.Area) else areas.resolve_area(area)


def _published(frame: pd.DataFrame, count: str | list[str], derived: list[str]) -> pd.DataFrame:
    """The frame with small counts (1-4) and what is derived from them replaced by the marker."""
    return stats.suppress_small_counts(frame, count, derived)


def _num(value: Any, decimals: int = 0) -> str:
    return format_number(value, decimals)


def place(area: areas.Area) -> str:
    """The area's name as it reads in a sentence: "the South East", "London", "Hampshire"."""
    return f"the {area.name}" if area.level == "region" and area.code != config.LONDON_CODE else area.name


def interval_text(low: Any, high: Any, confidence: float, decimals: int) -> str:
    """The interval in words, e.g. " (95% interval 50.1 to 61.3)"; "" without one or when suppressed."""
    if isinstance(low, str) or isinstance(high, str) or pd.isna(low):
        return ""
    return f" ({format_percent(confidence)} interval {_num(low, decimals)} to {_num(high, decimals)})"


# ------------------------------------------------------------------------------------------
# Headline
# ------------------------------------------------------------------------------------------


def indicator_rows(area: Any, year: str | None = None, confidence: float = config.DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """The area, its region and England in every homelessness indicator, small counts suppressed.

    Returns
    -------
    pandas.DataFrame
        One row per indicator key x area: ``indicator``, ``area_code``, ``area_name``,
        ``numerator``, ``denominator``, ``value`` (in the indicator's unit: per 100,000
        residents, per 1,000 households or per cent), ``unit``, ``ci_lower``, ``ci_upper``,
        ``has_data`` (counts of 1-4, and a share's denominator of 1-4, and what is derived
        from them replaced by :data:`config.SUPPRESSION_MARKER`).
    """
    area = _area(area)
    codes = [a.code for a in areas.with_region_and_england(area)]
    year = homelessness.check_year(year, "da_reason")
    frames = []
    for key, spec in catalogue.SPECS.items():
        needed = (spec.measure, *catalogue.MEASURES_NEEDED[spec.per])
        if year not in homelessness.common_years(*needed):
            continue
        default = year == homelessness.latest_complete_year(*needed)  # the declared indicator, already memoised
        chosen = indicators.get_indicator(key) if default else catalogue.homelessness_indicator(key, year)
        frame = indicators.compute_indicator(chosen, confidence=confidence)
        frame = frame[frame["area_code"].isin(codes)].rename(columns={chosen.value_column: "value"})
        frame = frame.assign(indicator=key, unit=chosen.unit_label)
        frames.append(_published(frame, count_columns(chosen), ["value", "ci_lower", "ci_upper"]))
    rows = pd.concat(frames, ignore_index=True)
    rows = rows.assign(_o=rows["area_code"].map({c: i for i, c in enumerate(codes)})).sort_values(["indicator", "_o"])
    return rows.drop(columns="_o").reset_index(drop=True)


def _value(rows: pd.DataFrame, key: str, code: str) -> pd.Series | None:
    hit = rows[(rows["indicator"] == key) & (rows["area_code"] == code)]
    return None if hit.empty or not bool(hit["has_data"].iloc[0]) else hit.iloc[0]


def _shown(row: pd.Series | None, decimals: int) -> str:
    """A row's value (in its indicator's unit) as a sentence shows it: the number, the marker or "no data"."""
    if row is None:
        return "no data"
    value = row["value"]
    return value if isinstance(value, str) else _num(value, decimals)


def trend_sentence(area: Any, year: str | None = None, measure: str = "da_reason") -> str:
    """How the year compares with the previous complete year and the first year of the series."""
    area = _area(area)
    compared = homelessness_model.compare_years(area.code, year, measure)
    if compared.empty:
        return ""
    shown = _published(compared, "earlier_count", ["ratio", "ratio_lower", "ratio_upper"])
    shown = _published(shown, "count", ["ratio", "ratio_lower", "ratio_upper"])
    parts = []
    for row in shown.itertuples(index=False):
        words = {"higher": "higher than", "lower": "lower than", "similar": "about the same as"}[row.direction]
        chance = "; the difference is within chance" if row.direction == "similar" else ""
        across = f"; series breaks between: {row.breaks}" if row.breaks else ""
        parts.append(f"{words} in {row.earlier_year} ({_num(row.earlier_count)}{chance}{across})")
    return f"The count for {place(area)} in {compared['financial_year'].iat[0]} was " + ", and ".join(parts) + "."


def headline(area: Any, year: str | None = None, confidence: float = config.DEFAULT_CONFIDENCE) -> str:
    """The sentences a report opens with: the year's count and rates, the region and England, the trend."""
    area = _area(area)
    year = homelessness.check_year(year, "da_reason")
    rows = indicator_rows(area, year, confidence)
    region = areas.region_of(area) if area.level == "utla" else None
    mine = _value(rows, "homelessness_da_per_residents", area.code)
    england = _value(rows, "homelessness_da_per_residents", config.ENGLAND_CODE)
    others = [(place(region), _value(rows, "homelessness_da_per_residents", region.code))] if region else []
    if area.code != config.ENGLAND_CODE:
        others.append(("England", england))
    against = ", against " + " and ".join(f"{_shown(r, 1)} in {n}" for n, r in others) if others else ""
    if mine is None:
        note = homelessness.year_values("da_reason", year).set_index("area_code").loc[area.code, "note"]
        return (
            f"{area.name} has no figure for {year} for {WHAT['da_reason']}: not every housing authority "
            f"reported in every quarter ({note}). Per 100,000 residents{against.replace(', against', ':')}."
        )
    text = (
        f"In {year}, {_num(mine['numerator'])} households in {place(area)} {OWED['da_reason']}: "
        f"{_shown(mine, 1)} per 100,000 residents"
        f"{interval_text(mine['ci_lower'], mine['ci_upper'], confidence, 1)}{against}."
    )
    per_household = _value(rows, "homelessness_da_per_households", area.code)
    share = _value(rows, "homelessness_da_share_of_duties", area.code)
    if per_household is not None and share is not None and area.code == config.ENGLAND_CODE:
        text += (
            f" That is {_shown(per_household, 2)} per 1,000 households and {_shown(share, 1)}% of all "
            "households owed a duty."
        )
    elif per_household is not None and share is not None:
        eng_h = _value(rows, "homelessness_da_per_households", config.ENGLAND_CODE)
        eng_s = _value(rows, "homelessness_da_share_of_duties", config.ENGLAND_CODE)
        text += (
            f" That is {_shown(per_household, 2)} per 1,000 households (England {_shown(eng_h, 2)}) "
            f"and {_shown(share, 1)}% of all households owed a duty (England {_shown(eng_s, 1)}%)."
        )
    trend = trend_sentence(area, year)
    return text + (f" {trend}" if trend else "")


# ------------------------------------------------------------------------------------------
# Caveats, the model in words, the back-test
# ------------------------------------------------------------------------------------------


def trend_sources_line() -> str:
    """One line naming the quarterly workbooks a trend chart rests on (the sources list names the year's four)."""
    from analysis.data.steps import homelessness as workbooks

    ids = workbooks.manifest_source_ids()
    return (
        "Trend: MHCLG, Statutory homelessness: detailed local authority-level tables (H-CLIC), first editions of "
        f"every quarter from April-June 2018 to the latest published, {len(ids)} quarterly workbooks; OGL v3."
    )


def trend_records(area: Any, measure: str = "da_reason") -> list[dict[str, Any]]:
    """The area's financial years for :func:`analysis.present.report.record` (the summary's trend fact).

    One dict a year, ``{"financial_year": "2018-19", "households": 341.0}``: the count as the chapter
    publishes it, the suppression marker for a count of 1 to ``threshold - 1``, and None for a year
    with a quarter missing or not exactly mapped (never a partial sum shown as a year's figure).
    """
    area = _area(area)
    series = homelessness.trend(area.code, measure, "financial_year")
    own = series[series["area_code"] == area.code]
    marker = config.SUPPRESSION_MARKER
    out = []
    for period, count, complete in zip(own["period"], own["count"], own["complete"]):
        if not complete or pd.isna(count):
            value: Any = None
        elif 1 <= count < config.SUPPRESSION_THRESHOLD:
            value = marker
        else:
            value = float(count)
        out.append({"financial_year": str(period), "households": value})
    return out


def trend_chart_data(area: Any, measure: str = "da_reason", period: str = "quarter") -> dict[str, Any]:
    """What :func:`figure_trend` draws, as arguments of :func:`analysis.present.report.chart_data`.

    Each period's households, residents and rate per 100,000 with its interval, for the area,
    its region and England; counts of 1 to ``threshold - 1`` and their rates suppressed.
    """
    area = _area(area)
    series = homelessness.trend(area.code, measure, period)
    frame = series.assign(complete=series["complete"].map({True: "yes", False: "no: a district is missing"}))[
        ["period", "area_name", "count", "complete", "residents", "rate_per_100k", "ci_lower", "ci_upper", "note"]
    ]
    return {
        "frame": frame,
        "caption": f"{area.name}, its region and England: {WHAT[measure]} per 100,000 residents, each {period}",
        "count_columns": ["count"],
        "derived_columns": ["rate_per_100k", "ci_lower", "ci_upper"],
        "decimals": {"rate_per_100k": 1, "ci_lower": 1},
        "labels": {
            "count": "Households",
            "complete": "Complete",
            "residents": "Residents (Census 2021)",
            "rate_per_100k": "Per 100,000 residents",
            "period": "Quarter" if period == "quarter" else "Financial year",
        },
        "notes": [f"{SOURCE}; ONS Census 2021 TS009. An incomplete period's count is the partial sum published."],
    }


def deprivation_chart_data(model: homelessness_model.DeprivationModel) -> dict[str, Any]:
    """What :func:`figure_deprivation` draws, as arguments of :func:`analysis.present.report.chart_data`."""
    per, unit = (
        (1000, "per 1,000 households") if model.offset == "households" else (config.PER_100K, "per 100,000 residents")
    )
    data = model.authorities.assign(rate=model.authorities["observed"] / model.authorities["exposure"] * per)
    frame = data[["area_name", "score", "observed", "exposure", "rate", "expected", "ratio", "ratio_lower"]].assign(
        ratio_upper=data["ratio_upper"], compared=data["compared"]
    )
    exposure = "Households in the area" if model.offset == "households" else "Residents (Census 2021)"
    return {
        "frame": frame,
        "caption": f"{model.year}: each upper-tier authority's households owed a duty because of domestic abuse "
        f"{unit}, its deprivation score and its expected count ({model.chosen} model)",
        "count_columns": ["observed"],
        "derived_columns": ["rate", "ratio", "ratio_lower", "ratio_upper", "compared"],
        "decimals": {"score": 1, "exposure": 0, "rate": 2, "expected": 1, "ratio": 2, "ratio_lower": 2},
        "labels": {
            "score": "IoD 2019 average score",
            "observed": "Households owed a duty because of domestic abuse",
            "exposure": exposure,
            "rate": unit[:1].upper() + unit[1:],
            "expected": "Expected households",
            "ratio": "Observed / expected",
            "compared": "Compared with expected",
        },
        "intervals": {"Interval of observed / expected": ("ratio_lower", "ratio_upper")},
        "notes": [f"{SOURCE}; MHCLG IoD 2019, the workspace's population-weighted scores."],
    }


def first_edition_gap() -> str:
    """How far summed first-edition quarters ran below MHCLG's annual release, e.g. "2.2% to 2.4% (about 2%)"."""
    shares = [1 - first / annual for first, annual in config.HOMELESSNESS_FIRST_EDITION_CHECK.values()]
    low, high = min(shares), max(shares)
    return f"{format_percent(low, 1)} to {format_percent(high, 1)} (about {format_percent((low + high) / 2)})"


def first_edition_text() -> str:
    """The first-edition caveat in one sentence (figures from :data:`config.HOMELESSNESS_FIRST_EDITION_CHECK`)."""
    return (
        "The figures sum MHCLG's first-edition quarterly tables; for England in "
        f"{config.HOMELESSNESS_FIRST_EDITION_CHECK_YEAR} such sums ran {first_edition_gap()} below MHCLG's annual "
        "release, which includes later revisions."
    )


def missing_quarters_text(area: Any, measure: str = "da_reason") -> str:
    """The quarters since 2018-19 in which the area was not complete, each with the districts missing."""
    area = _area(area)
    if area.level != "utla":
        return f"{area.name}'s figures are MHCLG's published totals, which include estimates for non-returns."
    series = homelessness.trend(area.code, measure, period="quarter")
    bad = series[(series["area_code"] == area.code) & ~series["complete"]]
    if bad.empty:
        return (
            f"Every housing authority in {area.name} reported in every quarter since {config.HOMELESSNESS_FIRST_YEAR}."
        )
    return (
        f"Quarters in which {area.name} is incomplete (its year then has no figure, and the trend chart marks "
        f"the quarter): {'; '.join(bad['note'])}."
    )


def series_break_text(area: Any, measure: str = "da_reason") -> str:
    """The series breaks of the area's trend in one sentence."""
    breaks = homelessness.series_breaks(_area(area).code, measure)
    if breaks.empty:
        return "The series has no break in how it is made since 2018-19."
    return "Series breaks: " + "; ".join(breaks["quarter"] + ": " + breaks["description"]) + "."


def caveats(area: Any, year: str | None = None) -> list[str]:
    """Everything a reader must know before using the figures, for the area and year."""
    area = _area(area)
    year = homelessness.check_year(year, "da_reason")
    return [
        "These count households owed a statutory homelessness duty, not people: one household can be several "
        "residents, and victims who go straight to a refuge, stay with family or never approach the council "
        "are not counted.",
        "Councils record the reason for homelessness and support needs in different ways, so some of the "
        "difference between authorities is recording practice, not need.",
        first_edition_text(),
        missing_quarters_text(area),
        "Regions and England are MHCLG's published totals (rounded to the nearest 10, including MHCLG's "
        "estimates for councils that did not report); an authority is the sum of the districts that reported.",
        series_break_text(area),
        f"Rates per 100,000 use Census 2021 usual residents for every year, {year} included.",
        MODEL_ADJUSTS,
    ]


def model_sentences(area: Any, model: homelessness_model.DeprivationModel | None = None) -> list[str]:
    """The deprivation model in words: what was fitted, the dispersion, the choice and the area's ratio."""
    area = _area(area)
    model = homelessness_model.deprivation_model() if model is None else model
    poisson, negbin, chosen = model.fit("poisson"), model.fit("negative binomial"), model.fit()
    offset = {"households": "its households", "residents": "its Census 2021 residents"}[model.offset]
    p_text = "below 0.001" if model.lr_p_value < 0.001 else _num(model.lr_p_value, 3)
    why = (
        f"the Poisson model's Pearson chi-square is {_num(poisson['dispersion'], 1)} times its degrees of freedom "
        "(about 1 if the counts varied only by chance), so the authorities differ far more than a Poisson model "
        f"allows; the negative binomial (alpha {_num(negbin['alpha'], 3)}, dispersion {_num(negbin['dispersion'], 2)}, "
        f"AIC {_num(negbin['aic'])} against {_num(poisson['aic'])}) is used (likelihood-ratio test of alpha = 0: "
        f"p {p_text})"
        if model.chosen == "negative binomial"
        else f"the Poisson model fits (dispersion {_num(poisson['dispersion'], 2)}; likelihood-ratio test of "
        f"alpha = 0: p {p_text}), so it is used"
    )
    first = (
        f"For {model.year}, the {len(model.authorities)} upper-tier authorities with a complete year were "
        f"modelled: {WHAT[model.measure]} on the IoD 2019 average score, each authority's count scaled by {offset} "
        f"(offset log {model.offset}); {len(model.excluded)} without a complete year were left out. Here {why}."
    )
    step = homelessness_model.SCORE_STEP
    per = {"households": "household", "residents": "resident"}[model.offset]
    second = (
        f"Each {step} points of deprivation score go with {_num(chosen['rate_ratio_per_10_points'], 2)} times the "
        f"rate per {per} ({model.chosen} model)."
    )
    rows = model.authorities[model.authorities["area_code"] == area.code]
    if rows.empty:
        hit = model.excluded[model.excluded["area_code"] == area.code]
        why_not = f": {hit['note'].iat[0]}" if not hit.empty else " (not an upper-tier authority)"
        return [first, second, f"{area.name} is not in the model{why_not}."]
    row = _published(rows, "observed", ["ratio", "ratio_lower", "ratio_upper"]).iloc[0]
    third = (
        f"{area.name}: {_num(row['observed'])} observed against {_num(row['expected'])} expected for its "
        f"deprivation and households, a ratio of {_num(row['ratio'], 2)}"
        f"{interval_text(row['ratio_lower'], row['ratio_upper'], model.confidence, 2)}: {row['compared']}."
    )
    return [first, second, third]


def model_for_year(year: str | None = None) -> homelessness_model.DeprivationModel:
    """The deprivation model of a financial year: offset by households where MHCLG published them (from
    2019-20), else by Census 2021 residents (2018-19), so every complete year can be compared."""
    year = homelessness.check_year(year, "da_reason")
    offset = "households" if year in homelessness.common_years("da_reason", "households") else "residents"
    return homelessness_model.deprivation_model(year, offset=offset)


def backtest_for(area: Any) -> list[str]:
    """The back-test sentences for an area whose own published figures a seed document gives
    (:data:`config.STRATEGY_BACKTEST_FIGURES`), else an empty list."""
    area = _area(area)
    figures = config.STRATEGY_BACKTEST_FIGURES.get(area.code)
    if not figures:
        return []
    return backtest_sentences(homelessness.strategy_backtest(area.code, figures), area.name)


def backtest_sentences(frame: pd.DataFrame | None = None, area_name: str = config.DEFAULT_AREA_NAME) -> list[str]:
    """The council's published figures against the workspace's sums, the differences and why they differ."""
    frame = homelessness.strategy_backtest() if frame is None else frame
    years = " and ".join(
        f"{_num(r.strategy_figure)}{' residents' if i == 0 else ''} in {r.financial_year}"
        for i, r in enumerate(frame.itertuples())
    )
    need = " and ".join(
        f"{_num(r.support_need_households)} ({_signed(r.support_need_households - r.strategy_figure)})"
        for r in frame.itertuples()
    )
    reason = " and ".join(
        f"{_num(r.reason_households)} ({_signed(r.reason_households - r.strategy_figure)})" for r in frame.itertuples()
    )
    notes = "; ".join(n for n in frame["note"] if n)
    gap_need = (frame["support_need_households"] - frame["strategy_figure"]).abs()
    closer = bool((gap_need < (frame["reason_households"] - frame["strategy_figure"]).abs()).all())
    return [
        f"{area_name}'s strategy ({config.HAMPSHIRE_STRATEGY_CITATION}) reports {years} 'assessed as "
        "being owed a homelessness duty due to being at risk of or having experienced domestic abuse'.",
        f"Summing MHCLG's quarterly tables, the workspace finds {need} households owed a duty with the support "
        f"need 'at risk of / has experienced domestic abuse' (A3), and {reason} households owed a duty because "
        "domestic abuse was the reason they lost, or were losing, their home (A2; differences from the strategy "
        "in brackets).",
        "The strategy's wording ('at risk of or having experienced') is that of the A3 support need"
        + (
            ", and its figures are closer to the A3 sums than to the reason (A2) sums in every year"
            if closer
            else "; its figures are not closer to the A3 sums than to the reason (A2) sums in every year"
        )
        + ". The reason counts are lower because a household can have a domestic abuse support need while "
        "another reason is recorded for its homelessness.",
        "They differ because the strategy speaks of residents and the tables count households; because the "
        f"workspace sums first-edition quarters, which run {first_edition_gap()} below MHCLG's annual release; "
        "and because " + (f"of incomplete quarters ({notes})." if notes else "of later revisions by MHCLG."),
    ]


def _signed(value: float) -> str:
    return ("+" if value > 0 else "") + _num(value)


# ------------------------------------------------------------------------------------------
# Figures
# ------------------------------------------------------------------------------------------


def figure_deprivation(area: Any, model: homelessness_model.DeprivationModel | None = None) -> tuple[Any, str]:
    """Scatter of every modelled authority's rate per 1,000 households against its deprivation score.

    The chosen authority (or a region's authorities) is highlighted; the line is the chosen
    model's expected rate. Returns ``(figure, alt_text)``.
    """
    import seaborn as sns

    from analysis.present import plots

    area = _area(area)
    model = homelessness_model.deprivation_model() if model is None else model
    per, unit = (
        (1000, "per 1,000 households") if model.offset == "households" else (config.PER_100K, "per 100,000 residents")
    )
    data = model.authorities.assign(rate=model.authorities["observed"] / model.authorities["exposure"] * per)
    mine = data["area_code"].eq(area.code) | (data["region_code"].eq(area.code) & (area.level == "region"))
    fig, ax = plots.new_figure(7.5, 5.0)
    sns.scatterplot(data=data[~mine], x="score", y="rate", color=config.COLOUR_PRIMARY, s=26, alpha=0.8,
                    edgecolor="black", linewidth=0.3, ax=ax, label="upper-tier authorities")  # fmt: skip
    if mine.any():
        sns.scatterplot(data=data[mine], x="score", y="rate", color=config.COLOUR_HIGHLIGHT, s=70, marker="D",
                        edgecolor="black", linewidth=0.6, ax=ax, label=area.name)  # fmt: skip
    if area.level == "utla" and mine.any():
        point = data[mine].iloc[0]
        ax.annotate(area.name, (point["score"], point["rate"]), xytext=(6, 6), textcoords="offset points",
                    fontsize=9, fontweight="bold", color=config.COLOUR_HIGHLIGHT)  # fmt: skip
    fit = model.fit()
    grid = np.linspace(data["score"].min(), data["score"].max(), 100)
    ax.plot(grid, np.exp(fit["intercept"] + fit["slope"] * grid) * per, color="black", linewidth=1.2,
            label=f"expected ({model.chosen} model)")  # fmt: skip
    ax.set_xlabel("IoD 2019 average score (higher = more deprived)")
    ax.set_ylabel(f"Households owed a duty because\nof domestic abuse {unit}")
    ax.set_title(f"{model.year}: households owed a duty because of domestic abuse, by deprivation", loc="left")
    ax.legend(loc="upper left", fontsize=8)
    plots.add_source_note(fig, SOURCE + "; MHCLG IoD 2019; workspace's population-weighted scores")
    return fig, _deprivation_alt(area, model, data, mine, unit)


def _deprivation_alt(area, model, data, mine, unit: str) -> str:
    fit = model.fit()
    text = (
        f"Scatter plot of the {len(data)} upper-tier authorities with a complete {model.year}: households owed a "
        f"homelessness duty because of domestic abuse {unit} against the IoD 2019 average score. The "
        f"{model.chosen} model's expected rate rises {_num(fit['rate_ratio_per_10_points'], 2)} times for every "
        f"{homelessness_model.SCORE_STEP} points of score."
    )
    if area.level == "utla" and mine.any():
        shown = _published(data[mine].assign(rate_text=data["rate"]), "observed", ["rate_text", "ratio"])
        row = shown.iloc[0]
        text += (
            f" {area.name} (highlighted): score {_num(row['score'], 1)}, {_num(row['observed'])} households, "
            f"{_num(row['rate_text'], 2)} {unit}; expected {_num(row['expected'])}, ratio {_num(row['ratio'], 2)} "
            f"({row['compared']})."
        )
    elif area.level == "region":
        text += f" The {int(mine.sum())} modelled authorities of {area.name} are highlighted."
    hit = model.excluded[model.excluded["area_code"] == area.code]
    if not hit.empty:
        text += f" {area.name} has no complete year and is not shown: {hit['note'].iat[0]}."
    return text + f" {len(model.excluded)} authorities without a complete year are not shown."


def figure_trend(area: Any, measure: str = "da_reason", period: str = "quarter") -> tuple[Any, str]:
    """Line chart per 100,000 residents for the area, its region and England; incomplete points and breaks marked.

    The line is broken at a period that is incomplete (a district missing: a hollow marker shows
    the partial sum where one was published) or whose count is 1 to
    :data:`config.SUPPRESSION_THRESHOLD` - 1 (not drawn: its position would give the count back).
    """
    from analysis.present import plots

    area = _area(area)
    series = homelessness.trend(area.code, measure, period)
    small = series["count"].between(1, config.SUPPRESSION_THRESHOLD - 1)
    series = series.assign(line=series["rate_per_100k"].where(series["complete"] & ~small))
    names = list(dict.fromkeys(series["area_name"]))
    colours = dict(zip(names, [config.COLOUR_HIGHLIGHT, config.COLOUR_PRIMARY, "black"][-len(names) :]))
    if len(names) == 2 and area.level == "region":
        colours = {names[0]: config.COLOUR_HIGHLIGHT, names[1]: "black"}
    styles = dict(zip(names, [("-", "o"), ("--", "X"), (":", "s")]))
    fig, ax = plots.new_figure(9.0, 4.6)
    for name, group in series.groupby("area_name", sort=False):  # matplotlib breaks a line at NaN; seaborn joins
        line, marker = styles[name]
        ax.plot(group["period_start"], group["line"], linestyle=line, marker=marker, markersize=4, linewidth=1.4,
                color=colours[name], label=name)  # fmt: skip
    gaps = series[~series["complete"] & series["rate_per_100k"].notna() & ~small]
    for name, group in gaps.groupby("area_name", sort=False):
        ax.scatter(group["period_start"], group["rate_per_100k"], s=42, facecolors="white",
                   edgecolors=colours[name], linewidths=1.4, zorder=4,
                   label=f"{name}: incomplete (a district missing)")  # fmt: skip
    breaks = homelessness.series_breaks(area.code, measure)
    starts = series.drop_duplicates("period").set_index("period")["period_start"]
    where = breaks["quarter_start"] if period == "quarter" else breaks["financial_year"].map(starts)
    for x, labels in breaks.assign(x=where).dropna(subset=["x"]).groupby("x")["label"]:
        ax.axvline(x, color="#555555", linestyle=":", linewidth=1)
        ax.text(x, 0.98, " " + " / ".join(labels), rotation=90, va="top", ha="right", fontsize=7, color="#333333",
                transform=ax.get_xaxis_transform())  # fmt: skip
    every = "quarter" if period == "quarter" else "financial year"
    if period == "financial_year":
        ax.set_xticks(list(starts), list(starts.index), fontsize=8)
    ax.set_xlabel("")
    ax.set_ylabel(f"Households per 100,000 residents\n(each {every})")
    ax.set_title(f"{area.name}: {TITLES[measure]}, per 100,000 residents", loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7.5, title=None)
    plots.add_source_note(fig, SOURCE + "; ONS Census 2021 TS009. Dotted lines: series breaks.")
    return fig, _trend_alt(area, series, breaks, measure, every)


def _trend_alt(area, series: pd.DataFrame, breaks: pd.DataFrame, measure: str, every: str) -> str:
    shown = _published(series, "count", ["rate_per_100k", "line"])
    first, last = shown["period"].iat[0], shown["period"].iat[-1]
    parts = []
    for name, group in shown.groupby("area_name", sort=False):
        complete = group[group["complete"] & group["rate_per_100k"].notna()]
        if complete.empty:
            parts.append(f"{name}: no complete {every}")
            continue
        a, b = complete.iloc[0], complete.iloc[-1]
        parts.append(
            f"{name} {_num(a['rate_per_100k'], 1)} in {a['period']} and {_num(b['rate_per_100k'], 1)} in {b['period']}"
        )
    gaps = series[(series["area_code"] == area.code) & ~series["complete"]]
    text = (
        f"Line chart of {WHAT[measure]} per 100,000 residents, each {every} from {first} to {last}: "
        + "; ".join(parts)
        + "."
    )
    if not gaps.empty:
        partial = int(
            (gaps["rate_per_100k"].notna() & ~gaps["count"].between(1, config.SUPPRESSION_THRESHOLD - 1)).sum()
        )
        text += (
            f" {area.name}'s line is broken at {len(gaps)} incomplete {every}s (a district missing): "
            f"{', '.join(gaps['period'])}"
            + (f"; hollow markers show the partial sums of {partial}" if partial else "")
            + "."
        )
    withheld = series[series["count"].between(1, config.SUPPRESSION_THRESHOLD - 1)]
    if not withheld.empty:
        text += (
            f" {len(withheld)} {every}s with fewer than {config.SUPPRESSION_THRESHOLD} households are not drawn "
            f"({config.SUPPRESSION_MARKER}): {', '.join(withheld['area_name'] + ' ' + withheld['period'])}."
        )
    if not breaks.empty:
        text += " Dotted lines mark series breaks: " + "; ".join(breaks["quarter"] + " " + breaks["label"]) + "."
    return text
