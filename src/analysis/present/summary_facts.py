"""The figures and wording of an authority's evidence summary (:mod:`analysis.present.summary`).

:class:`Facts` reads the chapters' records (what each chapter recorded with
:func:`analysis.present.report.record`, from its run record) and returns the key facts, the
limits of the figures and the evidence the council must add, as the summary template shows them.
Nothing is computed from data here: every number is a record, formatted as the chapter formats it
(estimates to the nearest 10, places and rates as in the chapter's headline), wrapped in a span
naming its record (``data-record="<notebook>/<key>"``). A missing record shows
:data:`NOT_IN_RUN`; a record of None shows :data:`NO_FIGURE`; a record holding the suppression
marker, or a count from 1 to ``threshold - 1``, shows the marker.

Chapter 02's homelessness records are read under the names of :data:`HOMELESSNESS_KEYS`
(``<measure>_households``, ``_per_100k``, ``_ci_lower``, ``_ci_upper`` of measure ``da_reason``, the
year as ``homelessness_year`` and the trend as ``da_reason_trend``, a list of
``{"financial_year": ..., "households": ...}`` like chapter 04's ``homelessness_16_17_trend``).
What the council has added of its Part 4 annual return is chapter 02's record
:data:`analysis.methods.council_data.PART4_RECORD` (one entry per table of the return,
:func:`analysis.methods.council_data.part4_records`).

The module is a little over 500 lines because it has one job, every figure of the summary, each
read and wrapped the same way; splitting it would split that one convention across files.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from markupsafe import Markup

from analysis import config
from analysis.methods.council_data import PART4_RECORD
from analysis.present.navigation import chapters
from analysis.present.numbers import format_multiple, format_number, format_percent
from analysis.present.page import COUNT_ATTRIBUTE, display_date

NOT_IN_RUN = "not in this run"
NO_FIGURE = "no figure"
PREVALENCE, SUPPLY, MAPS, YOUNG = config.NOTEBOOKS
#: The names under which chapter 02 records households owed a homelessness duty because of domestic abuse.
HOMELESSNESS_KEYS = {
    "year": "homelessness_year",
    "households": "da_reason_households",
    "per_100k": "da_reason_per_100k",
    "ci_lower": "da_reason_ci_lower",
    "ci_upper": "da_reason_ci_upper",
    "trend": "da_reason_trend",
}
#: Where each fact's figures are in its chapter: heading ids (regular expressions, first match wins).
SECTIONS = {
    "adults": (PREVALENCE, (r"estimate-by-group.*", r"per-100-000-adults.*")),
    "children": (PREVALENCE, (r"children-living-in-households.*",)),
    "homelessness": (SUPPLY, (r".*homelessness-duty-because-of-domestic-abuse.*", r".*homelessness.*")),
    "trend": (SUPPLY, (r"the-trend.*", r".*trend.*", r".*homelessness.*")),
    "refuge": (SUPPLY, (r"places-against-the-standard.*",)),
    "expected": (SUPPLY, (r"expected-demand.*",)),
    "young": (YOUNG, (r"young-people-aged-14-18.*",)),
    "young_homeless": (YOUNG, (r"16-17-year-olds-owed-a-homelessness-duty.*",)),
    "deprivation": (PREVALENCE, (r"deprivation.*",)),
    "groups": (PREVALENCE, (r"groups-who-may-need-specialist-support.*",)),
    "local_gaps": (SUPPLY, (r"what-is-missing-from-the-local-data.*",)),
    "part4": (SUPPLY, (r"the-council-s-own-records.*", r"what-is-missing-from-the-local-data.*")),
    "young_gaps": (YOUNG, (r"evidence-gaps.*",)),
    "limits_01": (PREVALENCE, (r"what-these-figures-mean.*",)),
    "limits_02": (SUPPLY, (r"methods-assumptions-and-caveats.*",)),
}


def _plain(text: str) -> str:
    """Markdown emphasis and code marks removed (chapter 02's gap sentences are Markdown)."""
    return re.sub(r"\*\*|`", "", str(text))


class Facts:
    """The summary's figures, from the chapters' records.

    Parameters
    ----------
    records
        Notebook -> the records of its last successful run.
    links
        Notebook -> (its published page's file name or None, the ids of its elements).
    threshold
        The small-number suppression threshold of the chapters.
    """

    def __init__(
        self,
        records: Mapping[str, Mapping[str, Any]],
        links: Mapping[str, tuple[str | None, Sequence[str]]],
        threshold: int = config.SUPPRESSION_THRESHOLD,
    ) -> None:
        self.records = records
        self.links = links
        self.threshold = int(threshold)
        self.titles = {c["notebook"]: c["title"] for c in chapters()}
        #: True once a figure has been shown as the suppression marker (the page adds the footnote).
        self.suppressed = False

    # --------------------------------------------------------------------------------------
    # One figure
    # --------------------------------------------------------------------------------------

    def has(self, notebook: str, key: str) -> bool:
        return key in self.records.get(notebook, {})

    def value(self, notebook: str, key: str) -> Any:
        return self.records.get(notebook, {}).get(key)

    def shown(self, value: Any, *, count: bool = False, decimals: int = 0, multiple: int | None = None,
              percent: bool = False, text: bool = False, date: bool = False) -> str:  # fmt: skip
        """A record's value as published (marker, "no figure", or the number formatted).

        ``text`` shows a number as written (a year); ``date`` an ISO date as pages write dates.
        """
        number = isinstance(value, (int, float)) and not isinstance(value, bool) and not text
        if date and isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return display_date(datetime.fromisoformat(value))
        if value == config.SUPPRESSION_MARKER or (count and number and 0 < value < self.threshold):
            self.suppressed = True
            return config.SUPPRESSION_MARKER
        if value is None or (number and math.isnan(value)):
            return NO_FIGURE
        if not number:
            return str(value)
        if percent:
            return format_percent(value, decimals)
        return format_multiple(value, multiple) if multiple else format_number(value, decimals)

    def span(self, name: str, text: str, count: bool = False) -> Markup:
        marks = Markup(f' {COUNT_ATTRIBUTE}="count"') if count else Markup("")
        css = "figure" if text not in (NOT_IN_RUN, NO_FIGURE) else "figure figure-missing"
        return Markup('<span class="{}" data-record="{}"{}>{}</span>').format(css, name, marks, text)

    def figure(self, notebook: str, key: str, **how: Any) -> Markup:
        """A record as a span naming it; :data:`NOT_IN_RUN` when the chapter did not record it."""
        if not self.has(notebook, key):
            return self.span(f"{notebook}/{key}", NOT_IN_RUN)
        return self.span(f"{notebook}/{key}", self.shown(self.value(notebook, key), **how), how.get("count", False))

    def link(self, section: str) -> dict[str, Any]:
        """The chapter (and section) a fact links to: href (None if the chapter is not published) and text."""
        notebook, patterns = SECTIONS[section]
        page, ids = self.links.get(notebook, (None, []))
        anchor = next((i for p in patterns for i in ids if re.fullmatch(p, i)), None)
        href = None if page is None else (f"{page}#{anchor}" if anchor else page)
        return {"href": href, "text": self.titles[notebook] + ("" if page else " (not published)")}

    def _fact(self, id_: str, label: str, value: Markup, detail: Markup, year: Markup, source: str,
              section: str, main: tuple[str, str], about: str | None = None) -> dict[str, Any]:  # fmt: skip
        """A key fact; when its main record is missing, ``about`` (what it is) replaces the figures."""
        missing = not self.has(*main)
        if missing:
            notebook = self.titles[main[0]].split(":")[0]
            detail = Markup("{} {}'s last run does not record it.").format(about or label + ".", notebook)
            year = Markup("Year: not in this run")
        return {
            "id": id_,
            "label": label,
            "value": value,
            "detail": detail,
            "year": year,
            "source": source,
            "link": self.link(section),
            "missing": missing,
        }

    # --------------------------------------------------------------------------------------
    # The key facts
    # --------------------------------------------------------------------------------------

    def key_facts(self) -> list[dict[str, Any]]:
        """Every key fact, in the summary's order."""
        return [
            self._adults(),
            self._children(),
            self._homelessness(),
            self._trend(),
            self._refuge(),
            self._expected(),
            self._young(),
            self._young_homeless(),
            self._deprivation(),
            self._groups(
                "ethnic_minority",
                "Residents from ethnic minority groups",
                "from ethnic minority groups (all other than White British)",
            ),  # fmt: skip
            self._groups("disabled", "Disabled residents", "disabled under the Equality Act 2010"),
        ]

    def _adults(self) -> dict[str, Any]:
        f = self.figure
        interval = Markup("")
        if self.value(PREVALENCE, "estimate_ci_lower") is not None:
            interval = Markup(" Interval: {} to {}.").format(
                f(PREVALENCE, "estimate_ci_lower", multiple=10), f(PREVALENCE, "estimate_ci_upper", multiple=10)
            )
        elif self.has(PREVALENCE, "interval_method"):
            interval = Markup(" Uncertainty: {}.").format(f(PREVALENCE, "interval_method"))
        return self._fact(
            "adults",
            "Adults experiencing domestic abuse in a year (estimate)",
            f(PREVALENCE, "estimate_adults", multiple=10),
            Markup("Adults aged {}: {} per 100,000 adults (region {}, England {}).{}").format(
                f(PREVALENCE, "age_range"),
                f(PREVALENCE, "estimate_per_100k_adults"),
                f(PREVALENCE, "region_per_100k_adults"),
                f(PREVALENCE, "england_per_100k_adults"),
                interval,
            ),
            Markup("Crime survey year {} ({} measure); population at the 2021 Census").format(
                f(PREVALENCE, "survey_year"), f(PREVALENCE, "measure_version")
            ),
            "ONS Crime Survey for England and Wales rates applied to ONS Census 2021 residents",
            "adults",
            (PREVALENCE, "estimate_adults"),
        )

    def _children(self) -> dict[str, Any]:
        f = self.figure
        return self._fact(
            "children",
            "Children living with domestic abuse (estimate)",
            f(PREVALENCE, "estimate_children", multiple=10),
            Markup(
                "Of {} children aged 0-17, those living in a household where a parent is experiencing "
                "domestic abuse, at the national rate."
            ).format(f(PREVALENCE, "children_population")),  # fmt: skip
            Markup("Rate of {}; children at the 2021 Census").format(f(PREVALENCE, "children_rate_year", text=True)),
            "Children's Commissioner for England, Childhood Local Data on Risks and Needs (national rate); "
            "ONS Census 2021",
            "children",
            (PREVALENCE, "estimate_children"),
        )

    def _homelessness(self) -> dict[str, Any]:
        f, keys = self.figure, HOMELESSNESS_KEYS
        interval = Markup("")
        if self.value(SUPPLY, keys["ci_lower"]) is not None:
            interval = Markup(" (interval {} to {})").format(
                f(SUPPLY, keys["ci_lower"], decimals=1), f(SUPPLY, keys["ci_upper"], decimals=1)
            )
        return self._fact(
            "homelessness",
            "Households owed a homelessness duty because of domestic abuse",
            f(SUPPLY, keys["households"], count=True),
            Markup(
                "Households owed a prevention or relief duty whose loss, or threat of loss, of their home "
                "was due to domestic abuse: {} per 100,000 residents{}."
            ).format(f(SUPPLY, keys["per_100k"], decimals=1), interval),  # fmt: skip
            Markup("Financial year {}").format(f(SUPPLY, keys["year"])),
            "MHCLG statutory homelessness, detailed local authority tables (H-CLIC); ONS Census 2021 residents",
            "homelessness",
            (SUPPLY, keys["households"]),
            "Households owed a prevention or relief duty because domestic abuse cost them, or threatened, their "
            "home, in the latest complete financial year, and the rate per 100,000 residents.",
        )

    def _trend(self) -> dict[str, Any]:
        key = HOMELESSNESS_KEYS["trend"]
        trend = self.value(SUPPLY, key)
        points = []
        if isinstance(trend, list):
            points = [(i, p) for i, p in enumerate(trend) if isinstance(p, dict) and p.get("households") is not None]
        if len(points) >= 2:
            (i, start), (j, end) = points[0], points[-1]
            value = Markup("{} to {}").format(
                self.span(f"{SUPPLY}/{key}/{i}/households", self.shown(start["households"], count=True), True),
                self.span(f"{SUPPLY}/{key}/{j}/households", self.shown(end["households"], count=True), True),
            )
            year = Markup("{} to {}").format(
                self.span(f"{SUPPLY}/{key}/{i}/financial_year", str(start.get("financial_year"))),
                self.span(f"{SUPPLY}/{key}/{j}/financial_year", str(end.get("financial_year"))),
            )
            detail = Markup("Households owed a duty because of domestic abuse in the first and the latest "
                            "financial year with a published figure; the chapter shows every year.")  # fmt: skip
        else:
            text = NOT_IN_RUN if not self.has(SUPPLY, key) else NO_FIGURE
            value = year = self.span(f"{SUPPLY}/{key}", text)
            detail = Markup("The chapter's trend of the same households, year by year.")
        fact = self._fact(
            "trend",
            "Trend in households owed a duty because of domestic abuse",
            value,
            detail,
            year,
            "MHCLG statutory homelessness, detailed local authority tables (H-CLIC)",
            "trend",
            (SUPPLY, key),
            "The same households, year by year since 2018-19.",
        )
        return {**fact, "missing": len(points) < 2}

    def _refuge(self) -> dict[str, Any]:
        f = self.figure
        required = f(SUPPLY, "required_places")
        shortfall = self.value(SUPPLY, "shortfall_places")
        if not self.has(SUPPLY, "available_places"):
            supply = Markup("Places available: {}.").format(f(SUPPLY, "available_places"))
        elif self.value(SUPPLY, "available_places") is None:
            supply = Markup("How many refuge places the area has is not in the workspace (the council's supply "
                            "file), so the gap cannot be measured yet.")  # fmt: skip
        else:
            gap = (
                Markup("a shortfall of {} places ({}% of the requirement)").format(
                    f(SUPPLY, "shortfall_places"), f(SUPPLY, "shortfall_pct")
                )
                if isinstance(shortfall, (int, float)) and shortfall > 0
                else Markup("{} more places than the standard asks").format(
                    self.span(f"{SUPPLY}/shortfall_places", format_number(-(shortfall or 0)))
                )
            )
            supply = Markup("{} refuge bedspaces ({}): {}, or {} places per 100,000 people against {}.").format(
                f(SUPPLY, "available_places"),
                f(SUPPLY, "supply_period"),
                gap,
                f(SUPPLY, "places_per_100k", decimals=1),
                f(SUPPLY, "standard_places_per_100k"),
            )
        return self._fact(
            "refuge",
            "Refuge places required against those available",
            required,
            Markup("Required at the Council of Europe standard of {} place per 10,000 people. {}").format(
                self._standard(), supply
            ),
            Markup("Population at the 2021 Census; supply {}").format(f(SUPPLY, "supply_period")),
            config.REFUGE_STANDARD_CITATION.split(";")[0] + "; the council's own supply figures",
            "refuge",
            (SUPPLY, "required_places"),
        )

    def _standard(self) -> Markup:
        """The standard as chapter 02 writes it: up to two decimals, trailing zeros dropped ("1", "1.5")."""
        value = self.value(SUPPLY, "standard_per_10k")
        if not isinstance(value, (int, float)):
            return self.figure(SUPPLY, "standard_per_10k")
        return self.span(f"{SUPPLY}/standard_per_10k", format_number(value, 2).rstrip("0").rstrip("."))

    def _expected(self) -> dict[str, Any]:
        f = self.figure
        return self._fact(
            "expected",
            "Expected demand at England's rates (a benchmark)",
            f(SUPPLY, "expected_individuals_supported"),
            Markup(
                "Individuals a year who would be supported in safe accommodation if the area's need per head "
                "were England's; {} households a year would be referred but not supported."
            ).format(f(SUPPLY, "expected_households_unable_to_be_supported")),  # fmt: skip
            Markup("England's Part 4 counts for {}; population at the 2021 Census").format(f(SUPPLY, "demand_year")),
            "National expert steering group report on Part 4 (DLUHC, 2024); ONS Census 2021",
            "expected",
            (SUPPLY, "expected_individuals_supported"),
        )

    def _young(self) -> dict[str, Any]:
        f = self.figure
        return self._fact(
            "young",
            "Young people aged 14-18",
            f(YOUNG, "population_14_18"),
            Markup(
                "{}% of residents (England {}%). About {} of the {} 16-18 year olds may experience domestic "
                "abuse in a year, at the crime survey's 16-19 rate of {}%."
            ).format(
                f(YOUNG, "share_14_18_percent", decimals=1),
                f(YOUNG, "england_share_14_18_percent", decimals=1),
                f(YOUNG, "estimate_16_18", multiple=10),
                f(YOUNG, "population_16_18"),
                f(YOUNG, "rate_16_19_percent", decimals=1),
            ),  # fmt: skip
            Markup("2021 Census; crime survey year {}").format(f(YOUNG, "rate_survey_year")),
            "ONS Census 2021 (TS009); ONS Crime Survey for England and Wales",
            "young",
            (YOUNG, "population_14_18"),
        )

    def _young_homeless(self) -> dict[str, Any]:
        f = self.figure
        notes = [
            Markup(" {}").format(f(YOUNG, f"homelessness_{name}_16_17_note"))
            for name in ("applicant", "support_need")
            if self.value(YOUNG, f"homelessness_{name}_16_17_note")
        ]
        return self._fact(
            "young_homeless",
            "16-17 year olds owed a homelessness duty",
            f(YOUNG, "homelessness_applicant_16_17", count=True),
            Markup(
                "Main applicants aged 16 or 17 owed a prevention or relief duty; {} households owed a duty "
                "with the support need of a young person aged 16-17.{}"
            ).format(f(YOUNG, "homelessness_support_need_16_17", count=True), Markup("").join(notes)),  # fmt: skip
            Markup("Financial year {}").format(f(YOUNG, "homelessness_16_17_year")),
            "MHCLG statutory homelessness, detailed local authority tables (H-CLIC), tables A6 and A3",
            "young_homeless",
            (YOUNG, "homelessness_applicant_16_17"),
        )

    def _deprivation(self) -> dict[str, Any]:
        f = self.figure
        return self._fact(
            "deprivation",
            "Deprivation: rank among upper-tier authorities (1 = most deprived)",
            Markup("{} of {}").format(f(PREVALENCE, "deprivation_rank"), f(PREVALENCE, "deprivation_ranked_among")),
            Markup("Average score {} on the {} (England {}; higher is more deprived).").format(
                f(PREVALENCE, "deprivation_average_score", decimals=1),
                f(PREVALENCE, "deprivation_index_domain"),
                f(PREVALENCE, "england_deprivation_average_score", decimals=1),
            ),
            Markup("English Indices of Deprivation {}").format(f(PREVALENCE, "deprivation_year", text=True)),
            "MHCLG English Indices of Deprivation; score and rank computed by this workspace (see the chapter)",
            "deprivation",
            (PREVALENCE, "deprivation_rank"),
        )

    def _groups(self, name: str, label: str, words: str) -> dict[str, Any]:
        f = self.figure
        return self._fact(
            name,
            label,
            f(PREVALENCE, f"{name}_share", decimals=1, percent=True),
            Markup(
                "{} residents {} (region {}, England {}). They size the resident group, not victims or demand."
            ).format(
                f(PREVALENCE, f"{name}_residents"),
                words,
                f(PREVALENCE, f"region_{name}_share", decimals=1, percent=True),
                f(PREVALENCE, f"england_{name}_share", decimals=1, percent=True),
            ),
            Markup("Census Day, {}").format(f(PREVALENCE, "groups_census_date", date=True)),
            "ONS Census 2021, TS021 ethnic group and TS038 disability",
            "groups",
            (PREVALENCE, f"{name}_share"),
        )

    # --------------------------------------------------------------------------------------
    # What the figures do not show; what the council must add
    # --------------------------------------------------------------------------------------

    def limits(self) -> list[dict[str, Any]]:
        """Plain-English limits of the key facts, each with the chapter section that says more."""
        method = self.value(PREVALENCE, "deprivation_computed_by")
        items = [
            ("Modelled from national rates, not counted locally. The adult, children's and 16-18 estimates apply "
             "national survey rates to the area's population: they show how many people would be affected if "
             "the area matched the national pattern, so differences between areas mostly reflect their age and "
             "sex structure, not local risk.", "limits_01"),
            ("Private households only. The crime survey interviews people living in private households: people "
             "in refuges, hostels, care homes, student halls or prisons, and people who are homeless, are missed, "
             "and they include some of those most affected.", "limits_01"),
            ("What people tell a survey. Abuse that is not recognised or not disclosed is missed, so the "
             "estimates are likely to be too low.", "limits_01"),
            ("Households, not people. The homelessness figures count households that asked a council for help "
             "and were owed a duty, as each council recorded them: not people, and not victims needing refuge.",
             "homelessness"),
            ("Recording practice. Councils record the reason for homelessness and support needs in different "
             "ways, so some of the difference between areas is recording, not need.", "homelessness"),
            ("A standard, not a measure of need. The Council of Europe standard counts refuge places per head of "
             "population; refuges serve a national network, so places here also house people from elsewhere and "
             "residents use refuges elsewhere.", "limits_02"),
            ("Groups, not victims. Census counts of ethnic minority and disabled residents size those groups; "
             "they are not counts of victims or of demand for specialist services.", "groups"),
            (f"Deprivation is an average over neighbourhoods, measured before 2019; {_plain(method)}."
             if method else "Deprivation is an average over neighbourhoods, measured before 2019.", "deprivation"),
            (f"Small numbers are hidden: {config.SUPPRESSION_MARKER} marks a count of fewer than "
             f"{self.threshold}, or a figure derived from one, to protect confidentiality.", "young_homeless"),
        ]  # fmt: skip
        return [{"text": text, "link": self.link(section)} for text, section in items]

    def council_evidence(self) -> dict[str, Any]:
        """What the council must add from its own records: the Part 4 return, and what chapter 02 found.

        ``added`` and ``missing`` list the tables of the return the council has and has not given
        figures for, from chapter 02's record :data:`PART4_RECORD` (``recorded`` is False when the
        run has no such record, and the summary then lists what the return asks for, ``part4``).
        """
        types = ", ".join(label.lower() for label in config.ACCOMMODATION_TYPE_LABELS.values())
        part4 = [
            f"Bedspaces by type of safe accommodation ({types}), with the places for children and the accessible "
            "places.",
            "Households supported in each type of safe accommodation in the year, and the households the council "
            "could not support, with the reasons (no space, needs the service could not meet, and others).",
            "Referrals: received, accepted, declined or unsuccessful with the reasons, those from outside the area, "
            "and their risk levels.",
            "Who was supported: the protected and specialist characteristics the Part 4 return asks for.",
        ]
        added, missing = self._part4_return()
        found = []
        if self.has(SUPPLY, "local_data_gaps") and isinstance(self.value(SUPPLY, "local_data_gaps"), list):
            found = [_plain(line) for line in self.value(SUPPLY, "local_data_gaps")]
        else:
            for key, given, missing_text in (
                ("has_supply_data", "The council's supply figures were given", "No supply figures were given"),
                ("has_referral_data", "The council's referral figures were given", "No referral figures were given"),
            ):  # fmt: skip
                if self.has(SUPPLY, key):
                    found.append(f"{given}." if self.value(SUPPLY, key) else f"{missing_text}: the chapter uses none.")
        return {
            "part4": part4,
            "recorded": isinstance(self.value(SUPPLY, PART4_RECORD), list),
            "added": added,
            "missing": missing,
            "part4_link": self.link("part4"),
            "found": found,
            "local_gaps": self.link("local_gaps"),
            "young_gaps": self.link("young_gaps"),
        }

    def _part4_return(self) -> tuple[list[Markup], list[Markup]]:
        """The tables of the Part 4 return with figures (and how many of their categories), and those without."""
        entries = self.value(SUPPLY, PART4_RECORD)
        added: list[Markup] = []
        missing: list[Markup] = []
        if not isinstance(entries, list):
            return added, missing
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            name = f"{SUPPLY}/{PART4_RECORD}/{i}"
            title = self.span(f"{name}/title", str(entry.get("title")))
            if entry.get("filled"):
                periods = entry.get("periods") or []
                when = Markup(", ").join(self.span(f"{name}/periods/{j}", str(p)) for j, p in enumerate(periods))
                added.append(
                    Markup("{}: {} of its {} categories{}.").format(
                        title,
                        self.span(f"{name}/filled", self.shown(entry["filled"])),
                        self.span(f"{name}/categories", self.shown(entry.get("categories"))),
                        Markup(" ({})").format(when) if periods else "",
                    )
                )
            else:
                state = "a file is there, with no count yet" if entry.get("provided") else "not added"
                missing.append(Markup("{} ({}).").format(title, state))
        return added, missing
