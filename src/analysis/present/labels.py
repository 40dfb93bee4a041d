"""Plain words for everything a published page shows: column headings, coded values, references.

A report's data keeps the names code uses (``rate_ci_lower``, ``second_stage_move_on``); its
tables, sentences and downloads never show them. This module is the one registry of how they
are said in words, and of what counts as code text that must not reach a page:

* :data:`COLUMN_LABELS`: the heading of a column, with its unit ("Lower 95% limit of the rate
  (%)"); ``{level}`` stands for the confidence level of the table's intervals ("95%");
* :data:`INTERVAL_COLUMNS`: pairs of columns shown as one "lower to upper" column, and its heading;
* :data:`VALUE_LABELS`: the words for the values of a coded column (accommodation types, sexes,
  interval methods...), reusing config's label dicts such as
  :data:`analysis.config.ACCOMMODATION_TYPE_LABELS`;
* :data:`CODE_LABELS`: the words for a code (a name with an underscore) wherever it appears in a
  cell: measures, indicators, local facts;
* :func:`plain` rewrites a text's known codes and seed document file names in words
  (:data:`analysis.config.SEED_DOCUMENTS`); :func:`code_text` finds what is still code: words
  with an underscore, dotted module names (``analysis.methods``), ``data/`` and ``reports/``
  paths. :func:`analysis.present.report.table` refuses a table that would show any, and the
  published-text check of :mod:`analysis.present.page` uses the same rule.

A column or code that is not registered here is refused by the table, with the fix: add its
label to this module (or pass ``labels=`` for one table).

References
----------
Government Analysis Function (2021), "Releasing statistics in spreadsheets" and "Symbols in
tables, definitions and help": headings in plain words with their units, [c] for confidential,
a footnote for every symbol.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from analysis import config

#: The words for a sex code, as every table says them.
SEX_LABELS = {"female": "Women", "male": "Men", "all": "Women and men", "persons": "Women and men"}

#: Headings of columns by their code name. ``{level}`` is the table's confidence level ("95%").
COLUMN_LABELS: dict[str, str] = {
    # areas
    "area_name": "Area",
    "area_code": "Area code",
    "code": "Area code",
    "region_name": "Region",
    "level": "Kind of area",
    "role": "Role",
    "comparison": "Compared as",
    # populations, estimates and rates (chapter 01)
    "group": "Group",
    "age_band": "Age band",
    "population": "Population (Census 2021)",
    "population_adults": "Adults (Census 2021)",
    "rate_percent": "Rate (%)",
    "rate_ci_lower": "Lower 95% limit of the rate (%)",
    "rate_ci_upper": "Upper 95% limit of the rate (%)",
    "rate_published_for": "Rate published for",
    "estimate": "Estimate",
    "ci_lower": "Lower {level} limit",
    "ci_upper": "Upper {level} limit",
    "estimate_per_100k_adults": "Estimate per 100,000 adults",
    "per_100k_ci_lower": "Lower {level} limit per 100,000 adults",
    "per_100k_ci_upper": "Upper {level} limit per 100,000 adults",
    "rate_per_1000": "Rate per 1,000 children",
    "rate_per_100k": "Rate per 100,000",
    "rate_per_1k": "Rate per 1,000 households",
    "per_100k": "Per 100,000 residents",
    "percent": "Share (%)",
    "year": "Year",
    "period": "Period",
    "financial_year": "Financial year",
    "survey_year": "Survey year",
    # supply (chapter 02)
    "accommodation_type": "Accommodation type",
    "type_label": "Accommodation type",
    "provider": "Provider",
    "properties": "Properties",
    "bedspaces": "Bedspaces",
    "child_spaces": "Spaces for children",
    "accessible_bedspaces": "Accessible bedspaces",
    "restrictions": "Restrictions",
    "places": "Refuge places",
    "places_per_100k": "Refuge places per 100,000 people",
    "required_places": "Places the standard requires",
    "shortfall_pct": "Shortfall (% of required places)",
    "counted_in_standard": "Counts towards the standard",
    "england_places_per_100k": "England commissioned places per 100,000",
    # referrals (chapter 02)
    "label": "Item",
    "count": "Count",
    "base_count": "Out of (count)",
    "percent_basis": "Share of",
    "rank": "Rank",
    "interval": "Interval",
    "england_count": "England count",
    "england_rate_per_100k": "England per 100,000",
    "expected_in_area": "Expected in the area per year",
    "expected_per_year": "Expected per year",
    "local_count": "Local count",
    "local_period": "Local period",
    # homelessness and indicators (chapters 02 and 03)
    "households": "Households",
    "numerator": "Numerator",
    "denominator": "Denominator",
    "compared_with_england": "Compared with England",
    "indicator": "Indicator",
    "title": "Indicator",
    "unit": "Unit",
    "funnel_limits": "Funnel plot limits",
    "sources": "Sources",
    "source": "Source",
    "method": "Method",
    "note": "Note",
    "notes": "Notes",
    "kind": "Kind of figure",
    "measure": "Measure",
    "value": "Value",
    "basis": "Basis",
    "status": "Status",
    "sex": "Sex",
    "age": "Age",
}

#: Pairs of limits shown as one "lower to upper" column, with its heading (``{level}`` as above).
INTERVAL_COLUMNS: dict[tuple[str, str], str] = {
    ("rate_ci_lower", "rate_ci_upper"): "Published 95% interval of the rate (%)",
    ("ci_lower", "ci_upper"): "{level} confidence interval",
    ("per_100k_ci_lower", "per_100k_ci_upper"): "{level} confidence interval per 100,000 adults",
    ("interval from", "interval to"): "{level} confidence interval",
}

#: The words for the values of coded columns that are not themselves names with an underscore.
VALUE_LABELS: dict[str, Mapping[str, str]] = {
    "accommodation_type": config.ACCOMMODATION_TYPE_LABELS,
    "sex": SEX_LABELS,
    "interval": {
        "poisson": "Byar's method (exact Poisson below 10)",
        "wilson": "Wilson score",
        "numerator": "the estimate's own interval",
        "none": "none",
    },
    "funnel_limits": {"rate": "for a rate", "proportion": "for a proportion", "none": "none"},
    "level": {"utla": "upper-tier authority", "region": "region", "country": "country"},
}

#: Words for codes (names with an underscore) wherever a cell shows one.
CODE_LABELS: dict[str, str] = {
    **config.ACCOMMODATION_TYPE_LABELS,
    # crime survey measures (analysis.methods.prevalence)
    "any_domestic_abuse": "Any domestic abuse in the last year",
    "partner_abuse": "Partner abuse in the last year",
    "family_abuse": "Family abuse (not by a partner) in the last year",
    "any_domestic_abuse_since_16": "Any domestic abuse since the age of 16",
    # referral measures of referrals.csv (config.REFERRAL_MEASURES) and what a share is of
    "declined_or_unsuccessful": "Declined or unsuccessful",
    "decline_reason": "Reason declined",
    "from_outside_area": "From outside the area",
    "risk_level": "Risk level",
    "not_stated": "not stated",
    # local and national facts about young people (data/raw/authored/young_people_local_facts.csv)
    "refuge_child_age_limit_years": "Refuges' upper age for children",
    "refuge_male_child_age_limit_years": "Refuges' upper age for sons",
    "refuge_male_child_age_limit_typical_years": "Refuges' typical upper age for sons",
    "households_not_supported_children_age_or_family_size": (
        "Households not supported because of the children's ages or the size of the family"
    ),
    "specialist_younger_victims_16_25_supported": "Younger victims (16-25) supported in safe accommodation",
    "young_peoples_da_service_referrals": "Referrals to the young people's domestic abuse service",
    "population_aged_15_24_percent": "Residents aged 15-24 (% of residents)",
    "population_aged_15_24_percent_national_comparator": "Residents aged 15-24 (% of residents), national comparator",
    "children_recorded_apva_perpetrators": "Children recorded as perpetrators of abuse towards a parent",
    "children_child_protection_plans_da_secondary_category": (
        "Children on child protection plans with domestic abuse as a secondary category"
    ),
    "scenario_bound": "Scenario bound",
    # the survey's measure versions (data/raw/authored/csew_prevalence_rates.csv, quoted in notes)
    "measure_version": "survey measure version",
}

#: What a council's own files hold, in words (the pages name the figures, never the file); the
#: Part 4 return files are named by their titles (:func:`local_file_words`).
LOCAL_FILE_LABELS: dict[str, str] = {
    config.LOCAL_SUPPLY_FILE: "the council's own supply figures",
    config.LOCAL_REFERRALS_FILE: "the council's own referral figures",
}

#: The notebooks' parameters in words, for "About this report" (the exact names are in its command).
PARAMETER_LABELS: dict[str, str] = {
    "confidence_level": "confidence level",
    "survey_year": "crime survey year",
    "measure": "crime survey measure",
    "measure_version": "survey measure version",
    "round_to": "estimates rounded to the nearest",
    "standard_per_10k": "standard (places per 10,000 people)",
    "refuge_share": "share needing a refuge",
    "demand_year": "year of England's figures for expected demand",
    "homelessness_year": "year of the homelessness figures",
    "indicators": "indicators",
    "classification": "map classes",
    "scenario_low_percent": "scenario for ages 14-15, low bound (%)",
    "scenario_high_percent": "scenario for ages 14-15, high bound (%)",
}

#: A word with an underscore (``rate_ci_lower``, ``homelessness_2018_q1``, a seed file's name).
SNAKE_CASE = re.compile(r"(?<![\w])[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+(?![\w])")
#: A dotted module name of this package (``analysis.methods``) or a Python file name.
DOTTED_MODULE = re.compile(r"\banalysis(?:\.[A-Za-z_]\w*)+|\b\w+\.py\b")
#: A path inside the workspace: ``data/...``, ``reports/...`` (also ``src/``, ``notebooks/``).
WORKSPACE_PATH = re.compile(r"(?<![\w/.])(?:data|reports|src|notebooks)/[^\s,;)]*")
#: A file name of the workspace's kinds (``supply.csv``, ``01_prevalence.ipynb``, ``tables.parquet``).
FILE_NAME = re.compile(r"(?<![\w.-])[\w.-]*\w\.(?:csv|parquet|ipynb|py|json|ya?ml)\b", re.IGNORECASE)
#: Web addresses are published as they are (a source's page may have underscores in it).
_ADDRESS = re.compile(r"\b(?:https?://|www\.)\S+")
#: A council's file in the workspace, as a sentence may name it: ```data/raw/local/E10000014/supply.csv```.
_LOCAL_FILE = re.compile(r"`?\bdata/raw/local/[A-Za-z0-9]+/([\w.-]+\.csv)\b`?")
#: A seed document's file name (``000_41c104a8a2dac83f.txt``), with or without ``.txt``.
_SEED_DOCUMENT = re.compile(r"\b(?:[Ss]eed document )?(\d{3}_[0-9a-f]{16})(?:\.txt)?\b(?: \(([^()]*)\))?")


def level_words(level: float) -> str:
    """A confidence level as headings say it: 0.95 -> "95%", 0.9 -> "90%", 0.975 -> "97.5%"."""
    from analysis.present.numbers import format_number

    return format_number(float(level) * 100, 1).removesuffix(".0") + "%"


def heading(column: str, level: float = config.DEFAULT_CONFIDENCE, labels: Mapping[str, str] | None = None) -> str:
    """The published heading of a column: its label from ``labels`` or :data:`COLUMN_LABELS`, else its name.

    A name that is plain words is shown as it is, with a capital first letter ("bedspaces per
    100,000" -> "Bedspaces per 100,000"). Raises ``KeyError`` for an unregistered code name
    (words with an underscore): :func:`analysis.present.report.table` turns it into the error
    that names the fix.
    """
    text = (labels or {}).get(column) or COLUMN_LABELS.get(column)
    if text is None:
        if code_text(column):
            raise KeyError(column)
        text = column
    text = text.replace("{level}", level_words(level))
    return text[:1].upper() + text[1:]


def value(column: str, cell: object) -> object:
    """A cell in words: the column's value label (:data:`VALUE_LABELS`) or the code's (:data:`CODE_LABELS`)."""
    if not isinstance(cell, str):
        return cell
    mapping = VALUE_LABELS.get(column, {})
    if cell in mapping:
        return mapping[cell]
    if cell in CODE_LABELS:
        return CODE_LABELS[cell]
    return plain(cell)


def parameter_words(name: str) -> str:
    """A notebook parameter in words: :data:`PARAMETER_LABELS`, else its name with spaces ("a_b" -> "a b")."""
    return PARAMETER_LABELS.get(name) or name.replace("_", " ")


def document_title(match: re.Match) -> str:
    """A seed document's title for its file name; a title written after it in brackets is not repeated."""
    title = config.SEED_DOCUMENTS.get(f"{match.group(1)}.txt")
    if title is None:
        return match.group(0)
    after = match.group(2)
    return title if after is None or after.strip() == title else f"{title} ({after})"


def plain(text: str) -> str:
    """``text`` with seed document file names as titles, council files and registered codes as words.

    A code inside a sentence (a council's note "accessible_bedspaces: two rooms") becomes its
    label ("Accessible bedspaces: two rooms"); a council's file (``data/raw/local/<code>/supply.csv``)
    what it holds ("the council's own supply figures"); web addresses are left as they are.
    """
    pieces, last = [], 0
    for address in _ADDRESS.finditer(text):
        pieces.append(_plain_words(text[last : address.start()]))
        pieces.append(address.group(0))
        last = address.end()
    pieces.append(_plain_words(text[last:]))
    return "".join(pieces)


def name_documents(text: str) -> str:
    """``text`` with each seed document's file name replaced by its title (:data:`config.SEED_DOCUMENTS`)."""
    return _SEED_DOCUMENT.sub(document_title, text)


def local_file_words(name: str) -> str | None:
    """What a council's file holds, in words ("supply.csv" -> "the council's own supply figures"), or None."""
    from analysis.data.schemas import part4

    if name in LOCAL_FILE_LABELS:
        return LOCAL_FILE_LABELS[name]
    spec = part4.PART4_BY_NAME.get(name)
    return f"the council's Part 4 return figures ({spec.title.lower()})" if spec else None


def _local_file(match: re.Match) -> str:
    return local_file_words(match.group(1)) or match.group(0)


def _plain_words(text: str) -> str:
    text = _LOCAL_FILE.sub(_local_file, name_documents(text))

    def word(match: re.Match) -> str:
        token = match.group(0)
        return CODE_LABELS.get(token) or COLUMN_LABELS.get(token) or token

    return SNAKE_CASE.sub(word, text)


def code_text(text: str) -> list[str]:
    """The code in a published text: words with an underscore, dotted module names, workspace paths, file names.

    Web addresses are not searched (their paths are the publisher's, not ours).

    Examples
    --------
    >>> code_text("rate_ci_lower from analysis.methods, see data/raw/x.csv, supply.csv or https://a.org/b_c")
    ['rate_ci_lower', 'analysis.methods', 'data/raw/x.csv', 'supply.csv']
    """
    searched = _ADDRESS.sub(" ", text)
    found = [(m.start(), m.group(0)) for pattern in (SNAKE_CASE, DOTTED_MODULE) for m in pattern.finditer(searched)]
    paths = [(m.start(), m.group(0).rstrip(".:")) for m in WORKSPACE_PATH.finditer(searched)]
    found += paths
    inside = [range(start, start + len(path)) for start, path in paths]
    found += [
        (m.start(), m.group(0))
        for m in FILE_NAME.finditer(searched)
        if not any(m.start() in span for span in inside) and (m.start(), m.group(0)) not in found
    ]
    return [token for _, token in sorted(found)]


#: A manifest title of one edition of a periodic release: "<release>, <period> (<series>)".
_EDITION_TITLE = re.compile(r"^(?P<release>.+), (?P<period>[A-Z][a-z]+ to [A-Z][a-z]+ \d{4}) \((?P<series>[^)]+)\)$")


def source_titles(source_ids: Iterable[str]) -> list[str]:
    """The titles of manifest entries (``data/raw/sources.yaml``) in order, each once.

    Editions of one periodic release (the quarterly homelessness workbooks) read as one title
    naming the first and last period and how many editions ("Statutory homelessness: ...,
    April to June 2018 to October to December 2025 (H-CLIC; 31 quarterly editions)"), so a
    table cell or a list does not repeat a title 31 times. An id the manifest does not have
    raises :class:`~analysis.errors.ParameterError`.
    """
    from analysis.data import sources as manifest
    from analysis.errors import ParameterError

    known = {item.id: item for item in manifest.load_manifest()}
    titles = []
    for source_id in dict.fromkeys(source_ids):
        if source_id not in known:
            raise ParameterError(f"Unknown source id {source_id!r}.", "Use an id from the data sources manifest.")
        titles.append(known[source_id].title)
    editions: dict[tuple[str, str], list[str]] = {}
    for title in titles:
        match = _EDITION_TITLE.match(title)
        if match:
            editions.setdefault((match["release"], match["series"]), []).append(match["period"])
    out = []
    for title in titles:
        match = _EDITION_TITLE.match(title)
        periods = editions.get((match["release"], match["series"]), []) if match else []
        if len(periods) > 2:
            title = (
                f"{match['release']}, {periods[0]} to {periods[-1]} ({match['series']}; "
                f"{len(periods)} quarterly editions)"
            )
        out.append(title)
    return list(dict.fromkeys(out))
