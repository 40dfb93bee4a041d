"""Paths and constants: the one place the workspace keeps them, each with its source.

Paths
-----
Every path is derived from the project root. The root is found from the package
(``src/analysis`` lives two levels below it) and can be overridden with the
environment variable ``ANALYSIS_ROOT`` so tests and batch workers can point the
whole workspace at a temporary copy. Paths are read through this module's
attributes (``config.RAW_DIR``, ``config.PROCESSED_DIR`` ...) and are re-evaluated
on every access, so setting ``ANALYSIS_ROOT`` at run time takes effect at once.

``ANALYSIS_DATA_MIRROR`` overrides where ``analysis data get`` copies the open
data from (default: ``../shared/data`` beside the project root, when it exists).

Constants
---------
Standards, thresholds and styles used by the analysis modules, each documented
with the publication it comes from.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# --------------------------------------------------------------------------------------
# Paths
# --------------------------------------------------------------------------------------

ROOT_ENV = "ANALYSIS_ROOT"
MIRROR_ENV = "ANALYSIS_DATA_MIRROR"
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]

_PATHS: dict[str, tuple[str, ...]] = {
    "RAW_DIR": ("data", "raw"),
    "AUTHORED_DIR": ("data", "raw", "authored"),
    "LOCAL_DIR": ("data", "raw", "local"),
    "PROCESSED_DIR": ("data", "processed"),
    "REPORTS_DIR": ("reports",),
    "NOTEBOOKS_DIR": ("notebooks",),
    "MANIFEST_PATH": ("data", "raw", "sources.yaml"),
}


def project_root() -> Path:
    """Return the project root: ``$ANALYSIS_ROOT`` if set, else the checkout holding the package."""
    env = os.environ.get(ROOT_ENV)
    return Path(env).expanduser().resolve() if env else _PACKAGE_ROOT


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

#: European Standard Population 2013, 19 five-year bands 0-4 ... 85-89, 90+ (Eurostat,
#: "Revision of the European Standard Population", 2013, Table 11). Sums to 100,000.
ESP2013_BANDS: tuple[str, ...] = (
    "0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44",
    "45-49", "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+",
)
ESP2013_WEIGHTS: tuple[int, ...] = (
    5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000,
    7000, 7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000,
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

#: Attribution required by the Open Government Licence v3.0 for ONS boundary data.
BOUNDARY_ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
    "Contains OS data © Crown copyright and database right 2021"
)

# --------------------------------------------------------------------------------------
# Batch runs and publication (analysis.batch, analysis.publish)
# --------------------------------------------------------------------------------------

#: Default limit on one notebook's execution (all its cells together), in seconds. The
#: topic notebooks run in well under a minute; this only stops a hung or runaway run.
BATCH_TIMEOUT_SECONDS = 600
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
#: Cell tags whose cells never reach published HTML: the researcher's notes (notebook
#: contract), the parameters cell, papermill's injected parameters and its error markers.
UNPUBLISHED_CELL_TAGS = ("researcher-notes", "parameters", "injected-parameters", "papermill-error-cell-tag")
