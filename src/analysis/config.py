"""Paths and constants: the one place the workspace keeps them, each with its source.

Paths
-----
Every path is derived from the project root. The root is found from the package
(``src/analysis`` lives two levels below it) and can be overridden with the
environment variable ``ANALYSIS_ROOT`` so tests and batch workers can point the
whole workspace at a temporary copy. Paths are read through this module's
attributes (``config.RAW_DIR``, ``config.PROCESSED_DIR`` ...) and are re-evaluated
on every access, so setting ``ANALYSIS_ROOT`` at run time takes effect at once (each value
of it is resolved to an absolute path once: a link it passes through is read then).

``ANALYSIS_DATA_MIRROR`` overrides where ``analysis data get`` copies the open
data from (default: ``../shared/data`` beside the project root, when it exists).

Constants
---------
Standards, thresholds and styles used by the analysis modules, each documented
with the publication it comes from.

Size: over 500 lines because it is the one place for every path and constant, each with its
source (the house rule); splitting it would make two places.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

# --------------------------------------------------------------------------------------
# Paths
# --------------------------------------------------------------------------------------

ROOT_ENV = "ANALYSIS_ROOT"
MIRROR_ENV = "ANALYSIS_DATA_MIRROR"
#: The installed package's folder, and the checkout it was installed from (``src/analysis`` lies
#: two levels below the checkout).
PACKAGE_DIR = Path(__file__).resolve().parent
SOURCE_ROOT = PACKAGE_DIR.parents[1]

_PATHS: dict[str, tuple[str, ...]] = {
    "RAW_DIR": ("data", "raw"),
    "AUTHORED_DIR": ("data", "raw", "authored"),
    "LOCAL_DIR": ("data", "raw", "local"),
    "PROCESSED_DIR": ("data", "processed"),
    # Intermediate results kept between builds (e.g. each workbook parsed once), never published.
    "INTERIM_DIR": ("data", "interim"),
    "REPORTS_DIR": ("reports",),
    "NOTEBOOKS_DIR": ("notebooks",),
    "MANIFEST_PATH": ("data", "raw", "sources.yaml"),
}


#: The values that turn off a switch among the ``ANALYSIS_*`` environment variables
#: (:func:`switched_on`), in any case and with spaces around; any other value, or none, leaves it on.
SWITCH_OFF_VALUES = frozenset({"0", "false", "no", "off"})


def switched_on(name: str) -> bool:
    """False when the environment variable ``name`` is one of :data:`SWITCH_OFF_VALUES`; True
    otherwise, unset included (every switch of the package is on by default)."""
    return os.environ.get(name, "1").strip().lower() not in SWITCH_OFF_VALUES


def project_root() -> Path:
    """Return the project root: ``$ANALYSIS_ROOT`` if set, else the checkout holding the package."""
    env = os.environ.get(ROOT_ENV)
    if not env:
        return SOURCE_ROOT
    return _resolved(env, "" if os.path.isabs(env) else os.getcwd())


@lru_cache(maxsize=16)
def _resolved(path: str, folder: str) -> Path:
    """``path`` (relative to ``folder`` unless absolute) with ``~`` expanded, made absolute and
    its links resolved, once per value: a report reads the paths hundreds of times (every table
    read checks its file), and resolving took about 15 microseconds of system calls each time."""
    return (Path(folder) / Path(path).expanduser()).resolve()


def default_mirror() -> Path | None:
    """Return the local data mirror: ``$ANALYSIS_DATA_MIRROR`` if set, else ``../shared/data`` if present."""
    env = os.environ.get(MIRROR_ENV)
    if env:
        return Path(env).expanduser().resolve()
    candidate = project_root().parent / "shared" / "data"
    return candidate if candidate.is_dir() else None


def __getattr__(name: str) -> Any:  # PEP 562: paths are recomputed on each access
    if name == "ROOT":
        return project_root()
    if name in _PATHS:
        return project_root().joinpath(*_PATHS[name])
    raise AttributeError(f"module 'analysis.config' has no attribute {name!r}")


# --------------------------------------------------------------------------------------
# Geography
# --------------------------------------------------------------------------------------

#: Geography vintage of every table: ONS local authority districts of May 2021, grouped
#: into upper-tier authorities with the ONS LTLA->UTLA lookup of December 2022 (which
#: uses the same codes). 309 districts -> 152 upper-tier authorities in England.
GEOGRAPHY_VINTAGE = "2021 local authority geography (LAD May 2021; LTLA-UTLA lookup Dec 2022)"
GEOGRAPHY_VINTAGE_DATE = "2022-12-31"  # codes created after this date are "later reorganisations"
ENGLAND_CODE = "E92000001"
ENGLAND_NAME = "England"
LONDON_CODE = "E12000007"
GLA_NAME = "Greater London Authority"
#: British National Grid, the projection for every map (ONS Open Geography guidance).
CRS_BNG = "EPSG:27700"
CRS_LONLAT = "EPSG:4326"
#: Simplification tolerance (metres) applied once in the build for map drawing. The source
#: boundaries are already ultra-generalised (500 m); 200 m keeps every authority visible.
MAP_SIMPLIFY_TOLERANCE_M = 200.0

DEFAULT_AREA_CODE = "E10000014"  # Hampshire: the seed needs assessment
DEFAULT_AREA_NAME = "Hampshire"

# --------------------------------------------------------------------------------------
# Population base (analysis.data.steps.population, analysis.methods.population)
# --------------------------------------------------------------------------------------

#: The population every rate, estimate and per-100,000 figure uses: ONS Census 2021 usual
#: residents by sex and single year of age, Census Day 21 March 2021 (TS009 "Sex by single
#: year of age", edition 2021 version 1, lower-tier authorities on the 2021 codes of the
#: boundaries; https://www.ons.gov.uk/datasets/TS009/editions/2021/versions/1). Female and
#: male counts are observed at every age. How figures and sentences name it:
POPULATION_BASE = "ONS Census 2021 usual residents (TS009, sex by single year of age, 21 March 2021)"
POPULATION_BASE_SHORT = "ONS Census 2021"
#: Census Day 2021 in England and Wales (ONS, "Census 2021"): the date of every Census count here.
CENSUS_DAY = "2021-03-21"

# --------------------------------------------------------------------------------------
# Local evidence: groups who may need specialist support (chapter 01; analysis.methods.groups,
# analysis.present.groups)
# --------------------------------------------------------------------------------------

#: The national expert steering group's report on the Part 4 safe accommodation duty: "Annual
#: progress report from the Domestic Abuse Safe Accommodation National Expert Steering Group 2022
#: to 2023" (DLUHC, 20 February 2024), section "Individuals supported with specialist
#: characteristics" (seed document 004_c65f26b620d78a88.txt). Paragraph 68 lists the specialist
#: groups of the Part 4 monitoring form; paragraph 69 gives 26,830 individuals with at least one
#: specialist characteristic (53% of all individuals in safe accommodation), April 2022 to March
#: 2023; paragraph 70 names the most common characteristics with their counts (below, in the
#: report's order; characteristics are not exclusive).
SPECIALIST_CHARACTERISTICS_CITATION = (
    "Annual progress report from the Domestic Abuse Safe Accommodation National Expert Steering Group "
    "2022 to 2023 (DLUHC, 20 February 2024), 'Individuals supported with specialist characteristics', "
    "paragraphs 68-70 (seed document 004_c65f26b620d78a88.txt)"
)
SPECIALIST_CHARACTERISTICS_YEAR = "2022-23"
SPECIALIST_CHARACTERISTICS: dict[str, int] = {
    "black and minoritised victims": 11_660,
    "victims with mental health difficulties": 10_750,
    "disabled victims": 5_730,
}
SPECIALIST_ANY_CHARACTERISTIC = 26_830
SPECIALIST_ANY_CHARACTERISTIC_PERCENT = 53

# --------------------------------------------------------------------------------------
# Statistics (OHID Fingertips technical guidance; PHE "Technical Guide: Confidence
# Intervals", 2018; PHE "Technical Guide: Funnel plots", 2018)
# --------------------------------------------------------------------------------------

DEFAULT_CONFIDENCE = 0.95
#: Funnel plot control limits, two-sided (PHE funnel plot technical guide): ~2 and ~3 SD.
FUNNEL_LIMITS = (0.95, 0.998)
#: Byar's approximation is used for counts at or above this; exact Poisson below it
#: (PHE Technical Guide: Confidence Intervals for Counts, Rates and DSRs).
BYAR_MIN_COUNT = 10
#: Directly standardised rates are not published for fewer events than this (OHID Fingertips).
DSR_MIN_EVENTS = 10
PER_100K = 100_000
#: MHCLG states statutory homelessness rates per 1,000 households ("Statutory homelessness in
#: England" releases and live tables: "per 1,000 households"), so the per-households indicator does too.
PER_1K_HOUSEHOLDS = 1_000
#: A share of a whole is stated per cent (PHE Technical Guide: Confidence Intervals, 2018: proportions
#: with Wilson score intervals).
PER_CENT = 100
#: The units an indicator may be stated in (``Indicator.per``) and the column of
#: ``compute_indicator``'s frame that carries the value in that unit, so a column name never
#: says one unit while holding another: per 100,000 people (OHID Fingertips' rates), per 1,000
#: households (MHCLG's convention) and per cent.
INDICATOR_VALUE_COLUMNS: dict[int, str] = {
    PER_100K: "rate_per_100k",
    PER_1K_HOUSEHOLDS: "rate_per_1k",
    PER_CENT: "percent",
}

#: European Standard Population 2013, 19 five-year bands 0-4 ... 85-89, 90+ (Eurostat,
#: "Revision of the European Standard Population", 2013, Table 11). Sums to 100,000.
ESP2013_BANDS: tuple[str, ...] = (
    "0-4",
    "5-9",
    "10-14",
    "15-19",
    "20-24",
    "25-29",
    "30-34",
    "35-39",
    "40-44",
    "45-49",
    "50-54",
    "55-59",
    "60-64",
    "65-69",
    "70-74",
    "75-79",
    "80-84",
    "85-89",
    "90+",
)
ESP2013_WEIGHTS: tuple[int, ...] = (
    5000,
    5500,
    5500,
    5500,
    6000,
    6000,
    6500,
    7000,
    7000,
    7000,
    7000,
    6500,
    6000,
    5500,
    5000,
    4000,
    2500,
    1500,
    1000,
)

# --------------------------------------------------------------------------------------
# Disclosure control (ONS / GSS statistical disclosure control guidance; OHID Fingertips
# suppresses small counts in published outputs)
# --------------------------------------------------------------------------------------

#: Counts below this, and values derived from them, are suppressed in anything published.
SUPPRESSION_THRESHOLD = 5
#: Marker shown in place of a suppressed value ("[c]" = confidential, GSS symbol guidance).
SUPPRESSION_MARKER = "[c]"
SUPPRESSION_FOOTNOTE = (
    "[c] = suppressed: fewer than {threshold} cases, or derived from such a count, "
    "to protect confidentiality (GSS statistical disclosure control guidance)."
)
#: Footnotes of the other symbols a published table may show (Government Analysis Function,
#: "Symbols in tables, definitions and help", 2021: every symbol a table uses is explained under it).
#: ``report.table`` adds each one when a cell shows the symbol; a table may say more precisely
#: what the symbol means for its rows.
MISSING_SYMBOL = "–"
MISSING_FOOTNOTE = "– = no figure: not available or not stated (never a zero)."
NO_DATA_FOOTNOTE = "no data = the source gives no figure for this area (not a zero)."
#: How every published number rounds a half: away from zero (2.5 -> 3, -2.5 -> -3, 12,345 to the
#: nearest 10 -> 12,350, 0.125 to two places -> 0.13), on the number as written, not on its binary
#: approximation. This is the rule of hand rounding and of Excel's ROUND (Microsoft support, "ROUND
#: function"), so a council can check a figure against its own spreadsheet; Python's round(),
#: NumPy's and pandas' round and format specifications round a half to even on the binary value.
#: The value names the decimal module's mode (Python documentation, decimal: ROUND_HALF_UP,
#: "round to nearest with ties going away from zero"); see analysis.present.numbers.
PUBLISHED_ROUNDING = "ROUND_HALF_UP"

# --------------------------------------------------------------------------------------
# Safe accommodation standards
# --------------------------------------------------------------------------------------

#: One refuge family place per 10,000 population: Council of Europe (2008), "Combating
#: violence against women: minimum standards for support services" (EG-VAW-CONF(2007)Study
#: rev.), recommendation for safe accommodation in women's shelters; the same ratio as the
#: House of Commons Select Committee on Violence in Marriage (1975).
REFUGE_STANDARD_PLACES_PER_10K = 1.0
REFUGE_STANDARD_CITATION = (
    "Council of Europe (2008), Combating violence against women: minimum standards for "
    "support services; same ratio as the Select Committee on Violence in Marriage (1975)"
)

#: Accommodation types of Part 4 of the Domestic Abuse Act 2021 (Domestic Abuse Support
#: (Relevant Accommodation and Housing Benefit and Universal Credit Sanctuary Schemes)
#: (Amendment) Regulations 2021; DLUHC statutory guidance; national steering group report
#: 2022-23). A bedspace is a unit for one victim and their children.
ACCOMMODATION_TYPES: tuple[str, ...] = (
    "refuge",
    "specialist_by_and_for",
    "dispersed",
    "second_stage_move_on",
    "sanctuary_scheme",
    "other_emergency",
)

# --------------------------------------------------------------------------------------
# Notebooks, kernel and reports
# --------------------------------------------------------------------------------------

#: Jupyter kernel the workspace registers (``make setup``) and every notebook declares.
KERNEL_NAME = "analysis"
KERNEL_DISPLAY_NAME = "Python (analysis: DA needs assessment)"
NOTEBOOKS: tuple[str, ...] = (
    "01_prevalence",
    "02_refuge_demand_supply",
    "03_regional_maps",
    "04_young_people_14_18",
)
#: Seconds each notebook's run takes (one authority, Norfolk, on 2 CPUs, measured from
#: ``reports/batch.log`` on 1 December 2026). A batch starts the longest runs first (longest
#: processing time first), so a short batch does not end waiting for one long run started last.
EXPECTED_RUN_SECONDS: dict[str, float] = {
    "01_prevalence": 5.4,
    "02_refuge_demand_supply": 8.1,
    "03_regional_maps": 14.3,
    "04_young_people_14_18": 4.6,
}
#: Areas whose PDF sections a batch builds ahead of printing, at a time (``analysis.present.pdf.Printer``):
#: an area's five sections are about 5 MB of HTML (mostly the figures' PNGs), so a national
#: ``--pdf`` batch holds at most this many areas' worth while they wait to be printed.
PDF_PREPARED_AREAS = 2

#: Published tables as data: each table's CSV is written to this folder of the area's reports
#: folder, ``<notebook>-<n>-<slug>.csv``, and all of them with a README to ``<slug>-data.zip``.
#: CSV files start with a UTF-8 byte order mark, which Excel reads as UTF-8 (Microsoft support,
#: "Opening CSV UTF-8 files correctly in Excel"); without it Excel guesses the system code page
#: and garbles "–" and "£".
DATA_DOWNLOAD_FOLDER = "data"
DATA_CSV_ENCODING = "utf-8-sig"
#: The seed documents (/work/shared/reference, README.md there) by file name: how published text
#: names them instead of their file names.
SEED_DOCUMENTS: dict[str, str] = {
    "000_41c104a8a2dac83f.txt": "Hampshire County Council, Domestic Abuse Safe Accommodation Strategy 2021-2023",
    "001_fb53b9ff00823b74.txt": (
        "Southampton City Council, Strategy for the Provision of Support within Safe Accommodation 2021-2024"
    ),
    "002_918efe632bb91e05.txt": "Hampshire County Council, web page on safe accommodation options",
    "003_2b6ea0f71d03fd62.txt": (
        "Isle of Wight Council, Strategy for the Provision of Support within Safe Accommodation 2021-2024"
    ),
    "004_c65f26b620d78a88.txt": (
        "Annual progress report of the Domestic Abuse Safe Accommodation National Expert Steering Group 2022-23"
    ),
}

# --------------------------------------------------------------------------------------
# House style for figures (readable in greyscale; colour-blind safe)
# --------------------------------------------------------------------------------------

#: Sequential colour map for choropleths: matplotlib's "cividis" is perceptually uniform,
#: colour-vision-deficiency friendly and monotone in lightness, so it survives greyscale.
CMAP_SEQUENTIAL = "cividis"
COLOUR_HIGHLIGHT = "#d55e00"  # Okabe-Ito vermillion: the chosen authority
COLOUR_PRIMARY = "#0072b2"  # Okabe-Ito blue
COLOUR_SECONDARY = "#999999"
COLOUR_NO_DATA = "#ffffff"
COLOUR_CONTEXT = "#e6e6e6"  # the rest of England behind a region map
FIGURE_DPI = 110
#: zlib level of the PNG figures a report embeds (0-9; ``analysis.present.plots.png_bytes``).
#: Measured on one authority's 35 figures (docs/performance.md), rows unfiltered: levels
#: 1 / 3 / 6 deflate in 4.7 / 5.0 / 10.2 ms a figure to 2813 / 2706 / 2483 KiB in all.
FIGURE_PNG_COMPRESS_LEVEL = 3

#: Attribution required by the Open Government Licence v3.0 for ONS boundary data.
BOUNDARY_ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
    "Contains OS data © Crown copyright and database right 2021"
)

# --------------------------------------------------------------------------------------
# Young people aged 14-18 (notebook 04_young_people_14_18, module young_people)
# --------------------------------------------------------------------------------------

#: The age group Hampshire's strategy asks to scope (Hampshire Domestic Abuse Safe
#: Accommodation Strategy 2021-2023, recommendation 7 and strategic objective 2).
YOUNG_PEOPLE_AGES: tuple[int, ...] = (14, 15, 16, 17, 18)
#: Domestic Abuse Act 2021, s.1(2)(a): behaviour is domestic abuse only if both people are
#: "aged 16 or over" and personally connected (s.2); under-16s fall under child safeguarding.
DA_ACT_MIN_AGE = 16
DA_ACT_TITLE = "Domestic Abuse Act 2021 (c. 17), Part 1, sections 1-3"
DA_ACT_URL = "https://www.legislation.gov.uk/ukpga/2021/17/part/1"
#: The crime survey's youngest published age band and the survey year of the authored
#: 16-19 figure (ONS, Domestic abuse victim characteristics, year ending March 2020).
CSEW_YOUNGEST_BAND = "16-19"
CSEW_YOUNG_PEOPLE_SURVEY_YEAR = "YE Mar 2020"
#: The age range the crime survey interviewed that year (ONS: adults aged 16 to 74).
CSEW_AGE_RANGE_YE_MAR_2020 = "16-74"
# Prevalence: synthetic estimates from crime survey rates (analysis.methods.prevalence)
# --------------------------------------------------------------------------------------

#: Crime survey measure estimated by default: any domestic abuse (partner or family, by a
#: partner or family member, non-sexual abuse, sexual assault or stalking) in the last 12
#: months, as published by ONS for the Crime Survey for England and Wales (CSEW).
PREVALENCE_DEFAULT_MEASURE = "any_domestic_abuse"
#: The rates applied are national: England and Wales (ONS geography code K04000001).
PREVALENCE_RATE_GEOGRAPHY = "K04000001"
#: Age ranges the CSEW domestic abuse questions have covered: 16-59 (older releases),
#: 16-74 (e.g. years ending March 2019 and 2020) and 16+ since the survey returned on
#: 4 October 2021 with its upper age limit removed (ONS, "Partner abuse in detail, England
#: and Wales: year ending March 2022"). A set of rates must cover one of them without gaps.
CSEW_AGE_RANGES: tuple[str, ...] = ("16-59", "16-74", "16+")
#: The age bands ONS publishes crime survey rates for (Domestic abuse prevalence and victim
#: characteristics, appendix tables by age; UK SDG indicator 5.2.1 by age): the rows of the
#: prevalence table by sex and age band (:mod:`analysis.methods.prevalence_bands`).
CSEW_AGE_BANDS: tuple[str, ...] = ("16-19", "20-24", "25-34", "35-44", "45-54", "55-59", "60-74", "75+")
#: Versions of the CSEW measure: the long-running questions ("pre-2024") and the new
#: questions ONS uses for official statistics from the survey year ending March 2024
#: ("2024+"; ONS news release "Improving Crime Survey estimates of domestic abuse", 16 May
#: 2025). They are never combined in one estimate. When a survey year has complete rates
#: in both, the new measure is used unless another version is asked for.
CSEW_MEASURE_VERSIONS: tuple[str, ...] = ("pre-2024", "2024+")
CSEW_PREFERRED_MEASURE_VERSION = "2024+"
#: Confidence level of the intervals ONS publishes for CSEW estimates (95%; ONS tests
#: differences at the 5% significance level). ``ci_lower``/``ci_upper`` typed into
#: data/raw/authored/csew_prevalence_rates.csv must be these 95% limits.
CSEW_CI_CONFIDENCE = 0.95
#: Children's indicator estimated by default (data/raw/authored/children_rates.csv).
CHILDREN_DEFAULT_INDICATOR = "children_in_household_parent_experiencing_domestic_abuse"
#: Estimates shown in the prevalence notebook are rounded to this multiple by default
#: (synthetic estimates are approximate; unrounded values are recorded for tests).
PREVALENCE_DEFAULT_ROUND_TO = 10

# --------------------------------------------------------------------------------------
# Refuge demand and supply (issue 4): local data files, types counted against the
# standard, scenario defaults, national facts used as benchmarks
# --------------------------------------------------------------------------------------

#: Local data a council adds for its own area: ``data/raw/local/<area_code>/<file>``.
#: Aggregate counts only, never records about people (README, "Refuge demand and supply").
LOCAL_SUPPLY_FILE = "supply.csv"
LOCAL_REFERRALS_FILE = "referrals.csv"
#: Types whose bedspaces count as refuge family places against the Council of Europe
#: standard: refuges, including specialist ("by and for") refuges, as in Women's Aid's
#: counts of refuge spaces (Annual Audit; specialist services are "13.3% of all refuge
#: spaces in England", 000_41c104a8a2dac83f.txt section 4.3). Dispersed, second stage and
#: sanctuary places are reported beside the standard, not in it.
REFUGE_STANDARD_COUNTED_TYPES: tuple[str, ...] = ("refuge", "specialist_by_and_for")
#: Readable labels of the Part 4 accommodation types (statutory guidance, annex A3).
ACCOMMODATION_TYPE_LABELS = {
    "refuge": "Refuge",
    "specialist_by_and_for": "Specialist / 'by and for'",
    "dispersed": "Dispersed",
    "second_stage_move_on": "Second stage / move-on",
    "sanctuary_scheme": "Sanctuary scheme",
    "other_emergency": "Other emergency accommodation",
}
#: Referral measures of ``referrals.csv``; ``decline_reason`` and ``risk_level`` need a category.
REFERRAL_MEASURES: tuple[str, ...] = (
    "received",
    "accepted",
    "declined_or_unsuccessful",
    "decline_reason",
    "from_outside_area",
    "risk_level",
)
#: DASH risk levels (SafeLives DASH risk checklist): standard, medium, high.
RISK_LEVELS: tuple[str, ...] = ("high", "medium", "standard")
#: What a percentage in ``referrals.csv`` is a share of (``not_stated`` when the source does not say).
PERCENT_BASES: tuple[str, ...] = ("received", "declined_or_unsuccessful", "not_stated")
#: Periods in local files: a year ("2021"), a financial year ("2020-21"), a span of calendar
#: years ("2020-2021"), a snapshot date ("2021-05-01"), or "not stated" when the source gives none.
LOCAL_PERIOD_PATTERN = r"^(\d{4}|\d{4}-\d{2}|\d{4}-\d{4}|\d{4}-\d{2}-\d{2}|not stated)$"
#: The Part 4 annual return: every tier one authority sends MHCLG (formerly DLUHC) the "Support in
#: Safe Accommodation Data Monitoring Collection" for the previous financial year, by 30 June
#: (national expert steering group report 2022-23, paragraphs 6 and 31; seed document
#: 004_c65f26b620d78a88.txt). Its categories, as that report describes them (paragraphs 31-93),
#: are the template files ``analysis local template`` writes (analysis.data.schemas.part4).
PART4_RETURN_NAME = "Support in Safe Accommodation Data Monitoring Collection"
PART4_RETURN_CITATION = (
    "Annual progress report from the Domestic Abuse Safe Accommodation National Expert Steering Group "
    "2022 to 2023 (DLUHC, 20 February 2024), paragraphs 31-93 (seed document 004_c65f26b620d78a88.txt)"
)
#: The guide ``analysis local template`` writes beside the template files; its first line marks it
#: as the workspace's own, so ``--force`` may replace it (a council's own notes are never replaced).
LOCAL_TEMPLATE_README = "README.txt"
LOCAL_TEMPLATE_README_MARKER = "How to fill in these files (written by 'analysis local template')"
#: Default share of those needing safe accommodation who need refuge (scenario parameter):
#: 44% of the 50,670 individuals supported in safe accommodation in England in 2022-23 were
#: supported in refuge (national expert steering group report 2022-23, paragraph 42;
#: 004_c65f26b620d78a88.txt). A scenario value, not a measured local need.
DEFAULT_REFUGE_SHARE = 0.44
#: The Part 4 year whose national counts give the expected-demand benchmark by default.
DEFAULT_DEMAND_YEAR = "2022-23"

# --------------------------------------------------------------------------------------
# Regional maps and indicators (analysis.methods.indicators, analysis.present.maps; issue 5)
# --------------------------------------------------------------------------------------

#: Class schemes a map may use (mapclassify: Quantiles, EqualInterval, FisherJenks). Breaks are
#: always computed over England's upper-tier authorities (or regions, for an indicator published
#: only by region), never over the region shown, so every region map and the England map of an
#: indicator share one legend and the same value always falls in the same class.
MAP_CLASSIFICATIONS: tuple[str, ...] = ("quantiles", "equal_interval", "fisher_jenks")
MAP_CLASSIFICATION_DEFAULT = "quantiles"
#: Number of classes: five, the usual choropleth default (Brewer CA, "Color use guidelines for
#: mapping and visualization", 1994; ONS Data Visualisation guidance on choropleths), few enough
#: to tell apart in greyscale.
MAP_CLASSES = 5
#: Indicators the regional maps report shows first when it shows "all" (the rest follow in the
#: order declared): an observed local domestic abuse measure that differs between areas leads,
#: not a population share or a national rate applied to local populations (issue "Local
#: evidence", section 6). The report's headline is the first indicator shown.
MAP_LEAD_INDICATORS: tuple[str, ...] = (
    "homelessness_da_per_residents",
    "homelessness_da_per_households",
    "homelessness_da_share_of_duties",
    "homelessness_da_need_per_residents",
)
#: Areas without data are drawn white with this hatch and labelled, never coloured as zero.
MAP_NO_DATA_HATCH = "////"
MAP_NO_DATA_LABEL = "no data"
#: Areas whose value comes from a count of 1 to SUPPRESSION_THRESHOLD - 1 are not classed, plotted
#: or given a number on a map: drawn white with this hatch and labelled SUPPRESSION_MARKER (GSS
#: statistical disclosure control: a rate and its population give the count back).
MAP_SUPPRESSED_HATCH = "...."
#: Fraction of the sequential colour map used for classes: the lightest end of cividis is
#: close to white and to the context grey in greyscale, so classes stop short of it.
MAP_CMAP_RANGE = (0.0, 0.85)

#: Crime Survey year of the regional partner abuse rates mapped by region (SDG 5.2.1 file):
#: the year ending March 2020 is the last full-year survey before the pandemic (YE Mar 2021 has
#: no estimate; YE Mar 2022 is six months of fieldwork and not National Statistics), and the
#: same year as the national rates the prevalence estimates use.
REGIONAL_PARTNER_ABUSE_YEAR = "YE Mar 2020"
REGIONAL_PARTNER_ABUSE_AGE_BAND = "16-74"
ENGLAND_AND_WALES_CODE = "K04000001"

# --------------------------------------------------------------------------------------
# Batch runs and publication (analysis.run.batch, analysis.present.publish)
# --------------------------------------------------------------------------------------

#: Default limit on one notebook's execution (all its cells together), in seconds. The
#: topic notebooks run in well under a minute; this only stops a hung or runaway run.
BATCH_TIMEOUT_SECONDS = 600
#: Options every batch kernel starts with (nbclient's ``extra_arguments``). An in-memory IPython
#: history: nbclient gives this to kernels it recognises as ipykernel (its ``ipython_hist_file``
#: default, ":memory:"), but not to one named "analysis", so every batch kernel wrote its cells to
#: the user's ~/.ipython history database, one SQLite file shared by all concurrent kernels
#: (IPython ``HistoryManager.hist_file``; a batch's kernels keep no history worth saving).
KERNEL_ARGUMENTS = ("--HistoryManager.hist_file=:memory:",)
#: Limit on a kernel's start-up (papermill's default), in seconds.
KERNEL_START_TIMEOUT_SECONDS = 60
#: Records (``report.record``) that the reports index summarises, with their column labels
#: and the notebook that records them.
INDEX_HEADLINES: tuple[tuple[str, str, str], ...] = (
    ("estimate_per_100k_adults", "Estimated adults experiencing domestic abuse per 100,000", "01_prevalence"),
    ("required_places", "Refuge places required (1 per 10,000)", "02_refuge_demand_supply"),
    ("available_places", "Refuge places available", "02_refuge_demand_supply"),
    ("estimate_16_18", "Estimated 16-18 year olds experiencing domestic abuse", "04_young_people_14_18"),
)
#: The accessibility check of published pages (analysis.present.accessibility): Deque's axe-core,
#: installed from the npm registry by ``make axe`` into ``.venv/node`` at the version pinned in
#: package.json/package-lock.json (npm checks the tarball's sha512 recorded there). The sha256 of
#: its ``axe.min.js`` is the one Deque publishes for 4.14.1 in the package's ``sri-history.json``
#: ("sha256-KTSJmUUM3yhJqOcLeRL8LahahJ2jnA0NU5T1HUqe2Vw=", base64 of these bytes); the check
#: refuses a file that differs.
AXE_CORE_VERSION = "4.14.1"
AXE_CORE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
AXE_CORE_SCRIPT = SOURCE_ROOT / ".venv" / "node" / "node_modules" / "axe-core" / "axe.min.js"
#: The rules checked: axe-core's tags for the success criteria of WCAG 2.0 and 2.1 at levels A
#: and AA (axe-core API documentation, "Axe-core Tags"), the level public sector websites in the UK
#: must meet (Public Sector Bodies (Websites and Mobile Applications) Accessibility Regulations 2018,
#: through EN 301 549).
ACCESSIBILITY_TAGS: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
#: WCAG 2.1 SC 1.4.10 Reflow (AA), which axe-core does not test: at 320 CSS pixels wide, nothing
#: may need scrolling sideways, except content that needs two dimensions (a data table, a map),
#: which scrolls in its own box.
REFLOW_WIDTH_PX = 320
#: Cell tags whose cells never reach published HTML: the researcher's notes (notebook
#: contract), the parameters cell, papermill's injected parameters and its error markers.
UNPUBLISHED_CELL_TAGS = ("researcher-notes", "parameters", "injected-parameters", "papermill-error-cell-tag")

# --------------------------------------------------------------------------------------
# Local evidence: statutory homelessness (analysis.methods.homelessness, present.homelessness)
# --------------------------------------------------------------------------------------

#: First financial year of the trend: H-CLIC, MHCLG's case-level collection behind the detailed
#: local authority tables, starts in April-June 2018 with the Homelessness Reduction Act 2017
#: (in force 3 April 2018; MHCLG, "Statutory homelessness in England: technical note").
HOMELESSNESS_FIRST_YEAR = "2018-19"
#: England, 2023-24: four first-edition quarters summed against MHCLG's annual release, for the
#: households owed a prevention and a relief duty (data mirror SOURCES.md section 7, "Checks":
#: 143,270 prevention and 174,340 relief against the annual 146,430 and 178,560). The quarterly
#: workbooks used here are first editions; MHCLG revises quarters in later releases.
HOMELESSNESS_FIRST_EDITION_CHECK: dict[str, tuple[int, int]] = {
    "prevention duty": (143_270, 146_430),
    "relief duty": (174_340, 178_560),
}
HOMELESSNESS_FIRST_EDITION_CHECK_YEAR = "2023-24"
#: Hampshire Domestic Abuse Safe Accommodation Strategy 2021-2023 (Hampshire County Council,
#: 5 January 2022), section 5.1 "Referrals Data": "527 residents in 2019/20 and 485 residents in
#: 2020/21 across Hampshire were assessed as being owed a homelessness duty due to being at risk
#: of or having experienced domestic abuse" (seed document 000_41c104a8a2dac83f.txt).
HAMPSHIRE_STRATEGY_DA_DUTY: dict[str, int] = {"2019-20": 527, "2020-21": 485}
HAMPSHIRE_STRATEGY_CITATION = (
    "Hampshire Domestic Abuse Safe Accommodation Strategy 2021-2023 (Hampshire County Council, "
    "January 2022), section 5.1"
)
#: Councils' own published yearly figures that the homelessness sums are back-tested against, by
#: area code: only where a seed document gives them (today Hampshire's strategy, above).
STRATEGY_BACKTEST_FIGURES: dict[str, dict[str, int]] = {DEFAULT_AREA_CODE: HAMPSHIRE_STRATEGY_DA_DUTY}
#: Significance level of the likelihood-ratio test of the negative binomial's alpha = 0 (Poisson)
#: in the deprivation model: 5%, the two-sided 95% level of every interval here. alpha = 0 lies on
#: the boundary, so the p-value is half the chi-square(1) tail (Cameron and Trivedi, Regression
#: Analysis of Count Data, 2nd ed. 2013, section 3.4).
HOMELESSNESS_OVERDISPERSION_TEST_LEVEL = 0.05
