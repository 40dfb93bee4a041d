"""The catalogue: every indicator the workspace declares, with the numerators behind them.

Importing :mod:`analysis.methods.indicators` imports this module, so the declarations are in
the registry whenever the registry is used. To add an indicator, write its numerator here
and one :func:`~analysis.methods.indicators.registry.declare` call.

Declared: the young people's scoping group (ages 14-18 and 16-17 per 100,000 of the
population), the Crime Survey's regional partner abuse rate for women (SDG 5.2.1, by region
only), adults estimated to have experienced domestic abuse and children estimated to live
with it (synthetic estimates from :mod:`analysis.methods.prevalence`), and refuge places
available and short of the standard (councils' local files, :mod:`analysis.methods.supply`).
"""

from __future__ import annotations

import pandas as pd

from analysis import config
from analysis.data import build, tables
from analysis.errors import DataFileError
from analysis.methods.indicators.registry import Denominator, Indicator, NumeratorFn, declare, numerator_from


def population_numerator(min_age: int, max_age: int | None, sex: str = "persons") -> NumeratorFn:
    """Numerator: the population in an age range (ONS Census 2021, TS009), for every area."""

    def source(confidence: float) -> pd.DataFrame:
        from analysis.methods import population

        return population.total_population(sex=sex, min_age=min_age, max_age=max_age).reset_index()

    return numerator_from(source, "population")


def _regional_partner_abuse(year: str, age_band: str) -> pd.DataFrame:
    rates = tables.read_table("csew_rates")
    return rates[
        (rates["survey_year"] == year)
        & (rates["sex"] == "female")
        & (rates["age_band"] == age_band)
        & (rates["measure"] == "partner_abuse")
        & rates["percent"].notna()
    ]


def partner_abuse_numerator(confidence: float) -> pd.DataFrame:
    """Numerator: women aged 16-74 experiencing partner abuse, by region (CSEW rate x women).

    The region's published percentage (SDG 5.2.1, year :data:`config.REGIONAL_PARTNER_ABUSE_YEAR`)
    applied to its women aged 16-74. Regions only: the survey publishes no authority or
    England-only figure, so authorities and England have no data.
    """
    from analysis.methods import population

    low, high = population.parse_age_band(config.REGIONAL_PARTNER_ABUSE_AGE_BAND)
    rates = _regional_partner_abuse(config.REGIONAL_PARTNER_ABUSE_YEAR, config.REGIONAL_PARTNER_ABUSE_AGE_BAND)
    regional = rates[rates["geography_code"].str.startswith("E12")]
    women = population.total_population(regional["geography_code"], sex="female", min_age=low, max_age=high)
    return pd.DataFrame(
        {
            "area_code": regional["geography_code"].to_numpy(),
            "numerator": regional["percent"].to_numpy() / 100 * women.loc[regional["geography_code"]].to_numpy(),
        }
    )


def partner_abuse_reference() -> tuple[str, str, float]:
    """England and Wales rate (per 100,000 women aged 16-74) for the same survey year."""
    rates = _regional_partner_abuse(config.REGIONAL_PARTNER_ABUSE_YEAR, config.REGIONAL_PARTNER_ABUSE_AGE_BAND)
    national = rates[rates["geography_code"] == config.ENGLAND_AND_WALES_CODE]
    if national.empty:
        raise DataFileError(
            f"No England and Wales partner abuse rate for {config.REGIONAL_PARTNER_ABUSE_YEAR} in "
            "the csew_rates table.",
            "Rebuild the data with 'analysis data build --force'.",
        )
    return config.ENGLAND_AND_WALES_CODE, "England and Wales", float(national["percent"].iloc[0]) * 1000


_POPULATION_INTERVAL_REASON = (
    "None: the numerator and denominator are Census 2021 counts of the whole population of each "
    "area, not a sample or a count of random events, so a Wilson or Poisson interval would describe "
    "chance variation that does not exist. Their real uncertainty is that of the Census itself "
    "(coverage adjustment, and ONS's cell-key perturbation of a few people per cell), which ONS does "
    "not publish as an interval for local authorities."
)
_POPULATION_FUNNEL_REASON = (
    "Proportion limits (Wilson/normal method) around England's share. With whole populations "
    "in the hundreds of thousands the limits are narrow, so most authorities lie outside them: "
    "that marks a real difference in age structure, not chance."
)
_POPULATION_CAVEAT = (
    "ONS Census 2021 usual residents on Census Day, 21 March 2021 (TS009, sex by single year of "
    "age); 2021 local authority geography. These are counts of residents, not of young people "
    "experiencing or using abuse: they size the group a young people's service would serve."
)
#: The manifest id of the population base, for every indicator's sources.
_POPULATION_SOURCE = build.POPULATION_SOURCE_ID


def population_share(
    id: str,
    title: str,
    min_age: int,
    max_age: int | None,
    *,
    shows: str,
    does_not_show: str,
    caveat: str = _POPULATION_CAVEAT,
) -> Indicator:
    """An indicator of the residents in an age range per 100,000 of the whole population.

    Whole-population counts: no interval (see ``interval_reason``), proportion funnel limits.
    """
    from analysis.methods.population import age_band_label

    return Indicator(
        id=id,
        title=title,
        numerator=population_numerator(min_age, max_age),
        numerator_label=f"people aged {age_band_label(min_age, max_age)}",
        denominator=Denominator(),
        interval="none",
        interval_reason=_POPULATION_INTERVAL_REASON,
        sources=(_POPULATION_SOURCE,),
        source_note="Data: ONS Census 2021, TS009 sex by single year of age (OGL v3)",
        caveat=caveat,
        shows=shows,
        does_not_show=does_not_show,
        funnel="proportion",
        funnel_reason=_POPULATION_FUNNEL_REASON,
    )


declare(
    population_share(
        "population_14_18",
        "Young people aged 14 to 18",
        14,
        18,
        shows=(
            "how many residents are aged 14 to 18, the age group of the young people's scoping "
            "(Hampshire needs assessment, recommendation 7), for every 100,000 residents of each area"
        ),
        does_not_show=(
            "how many young people experience domestic abuse or use harmful behaviour, or need "
            "a service; areas with more young people per 100,000 have a larger group to reach, "
            "not necessarily more abuse"
        ),
    )
)

declare(
    population_share(
        "population_16_17",
        "Young people aged 16 and 17",
        16,
        17,
        shows=(
            "how many residents are aged 16 or 17 (covered as victims by the Domestic Abuse Act 2021 "
            "definition, yet often outside adult services) for every 100,000 residents"
        ),
        does_not_show="how many 16 and 17 year olds experience domestic abuse or need safe accommodation",
        caveat=_POPULATION_CAVEAT + " At 16 and 17 young people fall under the Domestic Abuse Act 2021 "
        "definition of a victim of abuse by a partner or family member.",
    )
)

declare(
    Indicator(
        id="partner_abuse_women_region",
        title="Women who experienced partner abuse in the last year (Crime Survey, by region)",
        numerator=partner_abuse_numerator,
        numerator_label="women aged 16-74 experiencing partner abuse (estimated: survey rate x women)",
        denominator=Denominator(sex="female", min_age=16, max_age=74),
        interval="none",
        interval_reason=(
            "None shown: the Crime Survey estimates have confidence intervals, but the shipped "
            "SDG 5.2.1 file does not give them, and they cannot be rebuilt without the survey's "
            "unweighted bases and design effects. Differences between regions may be within "
            "sampling error."
        ),
        sources=("sdg_521_partner_abuse_women", _POPULATION_SOURCE),
        source_note=(
            "Data: ONS, Crime Survey for England and Wales year ending March 2020, via UK SDG indicator 5.2.1 (OGL v3)"
        ),
        caveat=(
            "Published for regions only (and for England and Wales together, shown as the reference): "
            "there is no authority or England-only figure, so authorities are not coloured. The rate is "
            "the survey's percentage x 1,000; the count of women is that rate applied to the region's "
            "women aged 16-74 (Census 2021, observed by sex and age). Women only, "
            "partner abuse only (not family abuse, not men)."
        ),
        shows=(
            "the share of women aged 16-74 in each region who told the Crime Survey for England and Wales "
            "they experienced partner abuse in the year ending March 2020, per 100,000 women"
        ),
        does_not_show=(
            "differences between authorities within a region, abuse of men, or abuse by family "
            "members; regional survey samples are small, so close regions may not differ"
        ),
        higher_is_worse=True,
        funnel=None,
        funnel_reason=(
            "No funnel plot: a survey percentage is not a count of events in the population, and "
            "the published figures come without the sample sizes its limits would need."
        ),
        reference=partner_abuse_reference,
    )
)


# ------------------------------------------------------------------------------------------
# Indicators from the prevalence and supply modules
# ------------------------------------------------------------------------------------------


def _adults_numerator(confidence: float) -> pd.DataFrame:
    from analysis.methods import prevalence

    summary = prevalence.estimate_all_areas(confidence=confidence)
    ranges = set(summary["age_range"])
    if ranges != {ADULTS_DENOMINATOR_RANGE}:
        raise DataFileError(
            f"The default crime survey rates cover ages {sorted(ranges)}, but the indicator "
            f"adults_experiencing_da is declared per adults aged {ADULTS_DENOMINATOR_RANGE}.",
            "Update ADULTS_DENOMINATOR_RANGE and the declaration's Denominator in "
            "src/analysis/methods/indicators/catalogue.py.",
        )
    return summary.rename(
        columns={"estimate": "numerator", "ci_lower": "numerator_lower", "ci_upper": "numerator_upper"}
    )[["area_code", "numerator", "numerator_lower", "numerator_upper"]]


def _children_numerator(confidence: float) -> pd.DataFrame:
    from analysis.methods import prevalence

    return prevalence.estimate_children_all_areas()[["area_code", "estimate"]].rename(columns={"estimate": "numerator"})


def _refuge_numerator(column: str) -> NumeratorFn:
    def numerator(confidence: float) -> pd.DataFrame:
        from analysis.methods import supply

        return supply.places_all_areas()[["area_code", column]].rename(columns={column: "numerator"})

    return numerator


#: The survey age range the default crime survey rates cover (16+ since the survey year ending
#: March 2022); the adults indicator is per 100,000 people in it.
ADULTS_DENOMINATOR_RANGE = "16+"
_SYNTHETIC_FUNNEL_REASON = (
    "No funnel plot: a synthetic estimate is the national rate applied to known populations, "
    "so it has no chance variation between areas and control limits do not apply."
)

declare(
    Indicator(
        id="adults_experiencing_da",
        title="Adults estimated to have experienced domestic abuse in the last year",
        numerator=_adults_numerator,
        numerator_label="adults aged 16 and over estimated to have experienced domestic abuse (synthetic estimate)",
        denominator=Denominator(min_age=16, max_age=None),
        interval="numerator",
        interval_reason=(
            "The estimate's own interval, carried from the crime survey rates' published intervals; "
            "none is shown while the workspace holds no published intervals for the rates used. No Poisson "
            "or Wilson interval: nothing local was counted."
        ),
        sources=("csew_rates_authored", _POPULATION_SOURCE),
        source_note="Synthetic estimate: CSEW rates by sex (default survey year) x ONS Census 2021 population",
        caveat=(
            "A synthetic estimate: national survey rates by sex applied to the local women and men (Census 2021). "
            "It is not a measurement of local abuse, and areas differ "
            "by only a few per cent, from their mix of women and men: no map is drawn for it."
        ),
        shows="how many adults would experience domestic abuse per 100,000 if national rates held locally",
        does_not_show=(
            "local differences in risk: differences between areas reflect each area's mix of women and men, "
            "not more or less abuse"
        ),
        higher_is_worse=True,
        funnel=None,
        funnel_reason=_SYNTHETIC_FUNNEL_REASON,
        varies_by_area=False,
        uniform_reason=(
            "national Crime Survey rates by sex are applied to each area's women and men, so areas differ only "
            "by their mix of women and men, never by how much abuse was found locally; a map, funnel plot or "
            "ranking would suggest local variation that nothing measured"
        ),
    )
)

declare(
    Indicator(
        id="children_affected",
        title="Children estimated to live in a household with domestic abuse",
        numerator=_children_numerator,
        numerator_label="children aged 0-17 estimated to live where a parent experiences domestic abuse",
        denominator=Denominator(min_age=0, max_age=17),
        interval="none",
        interval_reason="None: the national rate was published without an interval and nothing local was counted.",
        sources=("children_rates_authored", _POPULATION_SOURCE),
        source_note=(
            "Synthetic estimate: Childhood Local Data on Risks and Needs national rate (2019) "
            "x ONS Census 2021 children"
        ),
        caveat="A national rate applied to local children: every area gets the same rate per 100,000 children.",
        shows="how many children per 100,000 children would live with domestic abuse at the national rate",
        does_not_show="local differences in risk, or children known to services",
        higher_is_worse=True,
        funnel=None,
        funnel_reason=_SYNTHETIC_FUNNEL_REASON,
        varies_by_area=False,
        uniform_reason=(
            "one national rate is applied to every area's children, so every area has the same rate per 100,000 "
            "children; a map, funnel plot or ranking would show nothing but that rate"
        ),
    )
)

_REFUGE_SOURCES = ("local_example_hampshire_supply", _POPULATION_SOURCE)
_REFUGE_NOTE = "Data: councils' own supply figures; standard: " + config.REFUGE_STANDARD_CITATION

declare(
    Indicator(
        id="refuge_places_available",
        title="Refuge places available",
        numerator=_refuge_numerator("places_available"),
        numerator_label="refuge and specialist refuge bedspaces available (latest period in the local file)",
        denominator=Denominator(),
        interval="none",
        interval_reason="None: an administrative count of places, not a sample or random events.",
        sources=_REFUGE_SOURCES,
        source_note=_REFUGE_NOTE,
        caveat=(
            "Only authorities that supplied local data are shown; the standard is one place per 10,000 "
            "population, i.e. 10 per 100,000."
        ),
        shows="refuge places per 100,000 residents, against the standard of 10",
        does_not_show="places used by people from elsewhere, other safe accommodation types, or their quality",
        higher_is_worse=False,
        funnel=None,
        funnel_reason="No funnel plot: places are planned capacity, not counts of chance events.",
    )
)

declare(
    Indicator(
        id="refuge_shortfall",
        title="Refuge places short of the one-per-10,000 standard",
        numerator=_refuge_numerator("shortfall_places"),
        numerator_label="refuge places required (population / 10,000) minus places available",
        denominator=Denominator(),
        interval="none",
        interval_reason="None: the difference between a standard and an administrative count.",
        sources=_REFUGE_SOURCES,
        source_note=_REFUGE_NOTE,
        caveat="Negative values mean more places than the standard; only authorities with local data are shown.",
        shows="how many more refuge places per 100,000 residents the standard would need",
        does_not_show="need from people placed from other areas, or need for other types of safe accommodation",
        higher_is_worse=True,
        funnel=None,
        funnel_reason="No funnel plot: a shortfall against a standard has no chance variation.",
    )
)
