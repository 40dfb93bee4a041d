"""The categories of the Part 4 annual return, as files a council fills in, and the rules they follow.

Every tier one authority sends MHCLG (formerly DLUHC) the "Support in Safe Accommodation Data
Monitoring Collection" each year (national expert steering group report 2022-23, paragraphs 6
and 31; seed document 004_c65f26b620d78a88.txt). The figures stay with the council: the report
describes the return's categories but no public file gives them by authority. This module lists
those categories as the report describes them (:data:`analysis.config.PART4_RETURN_CITATION`), one
:class:`Part4File` per table of the return, each category citing the paragraph that describes it.
The files are written by :mod:`analysis.data.local_template` and read by
:mod:`analysis.data.local_data`.

A file is long: one row per category (``section`` and ``category`` are the codes the reader
uses; ``label`` repeats the category in plain words for whoever fills it in), with ``count``
(blank = not known, 0 = none), ``period``, ``source`` and ``notes``. A category may appear once
per period. :func:`part4_problems` checks what pandera cannot: that codes are known, that a
count says when and where it comes from, and that no part exceeds the whole it belongs to.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from analysis import config

#: Columns of a Part 4 file, in the order the template writes them; ``label`` and ``notes`` are optional.
COLUMNS: tuple[str, ...] = ("section", "category", "label", "count", "period", "source", "notes")
OPTIONAL_COLUMNS: tuple[str, ...] = ("label", "notes")
#: A category's key in a file: (section code, category code).
Key = tuple[str, str]


@dataclass(frozen=True)
class Part4Item:
    """One category of the return: one row of its file."""

    section: str
    category: str
    label: str
    paragraphs: str
    #: Keys of the totals this category is part of (a count above one of them is refused).
    within: tuple[Key, ...] = ()

    @property
    def key(self) -> Key:
        return (self.section, self.category)


@dataclass(frozen=True)
class Part4File:
    """One table of the return: a file ``data/raw/local/<area_code>/<name>``."""

    name: str
    title: str
    unit: str
    paragraphs: str
    guidance: str
    sections: dict[str, str]
    items: tuple[Part4Item, ...]
    #: Whether the counts are of people (individuals, households, referrals, stays), so that
    #: counts from 1 to 4 are suppressed in reports; places and services are not suppressed.
    counts_people: bool = True
    #: Whether one person, household or referral can be in several rows of a breakdown, so the
    #: rows need not add up to their total (paragraphs 38, 59, 71, 88).
    overlaps: bool = False
    by_key: dict[Key, Part4Item] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_key", {item.key: item for item in self.items})


def _types() -> list[tuple[str, str]]:
    """The Part 4 accommodation types (config.ACCOMMODATION_TYPES) with the return's wording."""
    words = {
        "refuge": "Refuge",
        "specialist_by_and_for": "Specialist safe accommodation, including 'by and for'",
        "dispersed": "Dispersed accommodation",
        "second_stage_move_on": "Second stage (move-on) accommodation",
        "sanctuary_scheme": "Sanctuary scheme",
        "other_emergency": "Other safe accommodation",
    }
    return [(code, words[code]) for code in config.ACCOMMODATION_TYPES]


def _accommodation() -> Part4File:
    total: Key = ("all", "all")
    items = [Part4Item("all", "all", "All accommodation types: bedspaces and units", "72")]
    items += [
        Part4Item(
            "accommodation_type",
            code,
            f"{words}: {'bedspaces' if code == 'refuge' else 'units'}",
            "73" + (", 44" if code == "specialist_by_and_for" else ", 45" if code == "other_emergency" else ""),
            (total,),
        )
        for code, words in _types()
    ]
    return Part4File(
        name="part4_accommodation.csv",
        title="Bedspaces and units of safe accommodation by type",
        unit="bedspaces or units",
        paragraphs="72-73",
        guidance="Commissioned refuge bedspaces and units of the other types available in the year. A bedspace "
        "or unit is a place for one victim and their children. Specialist safe accommodation supports those "
        "sharing a protected characteristic or a vulnerability (statutory guidance definition, paragraph 44).",
        sections={"all": "All types", "accommodation_type": "By accommodation type"},
        items=tuple(items),
        counts_people=False,
    )


IDENTITIES = (
    ("women", "women"),
    ("men", "men"),
    ("trans_non_binary", "trans and non-binary people"),
    ("children", "children"),
)


def _supported() -> Part4File:
    items = []
    for section, place in [("all", "All accommodation types")] + _types():
        if section == "all":
            items.append(Part4Item("all", "all", f"{place}: all individuals", "40"))
        else:
            items.append(Part4Item(section, "all", f"{place}: all individuals", "42", (("all", "all"),)))
        for code, words in IDENTITIES:
            within: tuple[Key, ...] = (("all", "all"),) if section == "all" else ((section, "all"), ("all", code))
            items.append(Part4Item(section, code, f"{place}: {words}", "51-52, 89", within))
    items.append(
        Part4Item(
            "of_whom",
            "children_specialist_support",
            "Children who received specialist children's support",
            "90",
            (("all", "children"),),
        )
    )
    items.append(
        Part4Item("of_whom", "from_outside_area", "Individuals who came from outside the area", "56", (("all", "all"),))
    )
    sections = {"all": "All accommodation types"} | dict(_types())
    sections["of_whom"] = "Of whom"
    return Part4File(
        name="part4_supported.csv",
        title="Individuals supported in safe accommodation, by accommodation type and identity",
        unit="individuals",
        paragraphs="40-56, 89-90",
        guidance="Individuals (adults and children) supported in safe accommodation in the year, by the type of "
        "accommodation and by identity. Fill the 'all' rows when a breakdown is not known. Someone supported by "
        "two services may be counted twice (paragraph 38).",
        sections=sections,
        items=tuple(items),
        overlaps=True,
    )


def _referrals() -> Part4File:
    received: Key = ("referrals", "received")
    not_supported: Key = ("referrals", "not_supported")
    needs: Key = ("reason", "needs_not_met")
    items = (
        Part4Item("referrals", "received", "Referrals received", "57"),
        Part4Item("referrals", "supported", "Referrals where the household was supported", "57", (received,)),
        Part4Item(
            "referrals", "not_supported", "Referrals where the household could not be supported", "57", (received,)
        ),
        Part4Item("reason", "no_capacity", "No space: the service did not have capacity", "58", (not_supported,)),
        Part4Item("reason", "not_contactable", "The household could not be contacted", "58", (not_supported,)),
        Part4Item(
            "reason",
            "declined_offer",
            "The household was offered support but did not accept it",
            "58",
            (not_supported,),
        ),
        Part4Item(
            "reason",
            "needs_not_met",
            "The service could not meet the household's needs",
            "59, 61",
            (not_supported,),
        ),
        Part4Item(
            "reason",
            "other",
            "Other reason (e.g. did not meet service criteria, accepted a space elsewhere, rent too high, "
            "referral was for the perpetrator)",
            "60",
            (not_supported,),
        ),
        Part4Item(
            "need",
            "no_recourse_to_public_funds",
            "No recourse to public funds",
            "61",
            (needs, not_supported),
        ),
        Part4Item(
            "need",
            "children_age_or_family_size",
            "Age of the children or size of the family",
            "91",
            (not_supported,),
        ),
        Part4Item("need", "disability", "Disability", "93", (not_supported,)),
    )
    return Part4File(
        name="part4_referrals.csv",
        title="Referrals received, supported and unable to be supported, with the reasons",
        unit="referrals",
        paragraphs="57-61, 91, 93",
        guidance="Referrals of households to safe accommodation services in the year, how many were supported "
        "and how many could not be, and why. One household can be referred more than once (paragraph 38), and a "
        "referral can have more than one reason, so the reasons need not add up (paragraph 59).",
        sections={
            "referrals": "Referrals",
            "reason": "Why a household could not be supported",
            "need": "Needs or circumstances that could not be met",
        },
        items=items,
        overlaps=True,
    )


def _specialist() -> Part4File:
    any_: Key = ("all", "at_least_one")
    characteristics = (
        ("black_minoritised", "Black and minoritised victims"),
        ("disabled", "Disabled victims"),
        ("lgbtq", "LGBTQ+ victims"),
        ("male", "Male victims"),
        ("mental_health", "Victims with mental health support needs"),
        ("drug", "Victims with a drug support need"),
        ("alcohol", "Victims with an alcohol support need"),
        ("ex_offender", "Victims who are ex-offenders"),
        ("aged_16_25", "Victims aged 16 to 25"),
        ("aged_65_plus", "Victims aged 65 or over"),
    )
    items = [Part4Item("all", "at_least_one", "Individuals with at least one specialist characteristic", "69")]
    items += [Part4Item("characteristic", code, words, "68, 70", (any_,)) for code, words in characteristics]
    return Part4File(
        name="part4_specialist.csv",
        title="Individuals supported with specialist characteristics",
        unit="individuals",
        paragraphs="67-71",
        guidance="Individuals supported in safe accommodation in the year who have each specialist characteristic. "
        "One person can have several, so the characteristics are not added up (paragraph 71).",
        sections={"all": "Any specialist characteristic", "characteristic": "By characteristic"},
        items=tuple(items),
        overlaps=True,
    )


def _length_of_stay() -> Part4File:
    bands = (
        ("under_1_month", "less than 1 month"),
        ("1_to_3_months", "1 to 3 months"),
        ("3_to_6_months", "3 to 6 months"),
        ("over_6_months", "more than 6 months"),
    )
    groups = (
        ("refuge_dispersed", "Refuge and dispersed accommodation"),
        ("specialist", "Specialist safe accommodation, including 'by and for'"),
    )
    items = []
    for section, words in groups:
        items.append(Part4Item(section, "all", f"{words}: all stays with a recorded length", "48"))
        items += [Part4Item(section, code, f"{words}: {band}", "48-50", ((section, "all"),)) for code, band in bands]
    return Part4File(
        name="part4_length_of_stay.csv",
        title="Length of stay in safe accommodation",
        unit="stays",
        paragraphs="48-50",
        guidance="Stays in the year by how long they lasted, for refuge and dispersed accommodation and for "
        "specialist safe accommodation separately (paragraph 48). Count only stays whose length is recorded.",
        sections=dict(groups),
        items=tuple(items),
    )


def _support_ended() -> Part4File:
    total: Key = ("all", "all")
    items = (
        Part4Item("all", "all", "Households that stopped receiving support", "84"),
        Part4Item("planned", "planned", "Left as planned", "85-86", (total,)),
        Part4Item("planned", "unplanned", "Left unplanned", "85-86", (total,)),
        Part4Item(
            "circumstance", "other_safe_accommodation", "Moved to another form of safe accommodation", "87", (total,)
        ),
        Part4Item("circumstance", "with_perpetrator", "Moved into accommodation with the perpetrator", "87", (total,)),
        Part4Item("circumstance", "asked_to_leave_or_evicted", "Asked to leave or evicted", "87", (total,)),
    )
    return Part4File(
        name="part4_support_ended.csv",
        title="Households whose support in safe accommodation ended, and why",
        unit="households",
        paragraphs="84-88",
        guidance="Households that stopped receiving support in safe accommodation in the year: whether the move "
        "was planned, and where they went or why they left. A household can be in more than one row "
        "(paragraph 88).",
        sections={"all": "All", "planned": "Planned or unplanned", "circumstance": "Where they went or why they left"},
        items=items,
        overlaps=True,
    )


def _specialist_services() -> Part4File:
    groups = (
        ("black_minoritised", "black and minoritised survivors"),
        ("disabled", "disabled survivors"),
        ("lgbtq", "LGBTQ+ survivors"),
        ("other", "other specialist groups (e.g. complex needs, older or young victims, faith-based)"),
    )
    items = [Part4Item("commissioned", code, f"Specialist services for {words}", "75-80") for code, words in groups]
    items += [
        Part4Item(
            "by_and_for",
            code,
            f"Of those, run by 'by and for' organisations: {words}",
            "75, 77-79",
            (("commissioned", code),),
        )
        for code, words in groups
    ]
    return Part4File(
        name="part4_specialist_services.csv",
        title="Specialist services commissioned, and how many are 'by and for'",
        unit="services",
        paragraphs="74-81",
        guidance="Specialist services commissioned for each group and, of those, how many are run by 'by and "
        "for' organisations (led, designed and delivered by and for the communities they serve, paragraph 15).",
        sections={"commissioned": "Specialist services commissioned", "by_and_for": "Of which 'by and for'"},
        items=tuple(items),
        counts_people=False,
    )


#: The tables of the Part 4 annual return, in the order a report shows them.
PART4_FILES: tuple[Part4File, ...] = (
    _accommodation(),
    _supported(),
    _referrals(),
    _specialist(),
    _length_of_stay(),
    _support_ended(),
    _specialist_services(),
)
PART4_BY_NAME: dict[str, Part4File] = {spec.name: spec for spec in PART4_FILES}


class Part4Return(pa.DataFrameModel):
    """A Part 4 file as read (text cells): counts whole and >= 0, periods in the local form."""

    section: Series[str] = pa.Field(str_length={"min_value": 1})
    category: Series[str] = pa.Field(str_length={"min_value": 1})
    label: Series[str] | None = pa.Field(nullable=True)
    count: Series[float] = pa.Field(ge=0, nullable=True)
    period: Series[str] = pa.Field(str_matches=config.LOCAL_PERIOD_PATTERN, nullable=True)
    source: Series[str] = pa.Field(nullable=True)
    notes: Series[str] | None = pa.Field(nullable=True)

    class Config:
        coerce = True
        strict = False  # unknown columns are reported by analysis.data.local_data with a suggestion

    @pa.check("count", error="whole number required")
    def whole_counts(cls, series: pd.Series) -> Series[bool]:
        return series.isna() | (series == series.round())


def _line(index: object) -> int:
    return int(index) + 2  # type: ignore[call-overload]


def _suggest(value: str, known: list[str]) -> str:
    close = difflib.get_close_matches(value, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else f" (one of {', '.join(known)})"


def _key_problems(df: pd.DataFrame, spec: Part4File) -> list[str]:
    problems = []
    for index, section, category in zip(df.index, df["section"], df["category"]):
        if section not in spec.sections:
            problems.append(
                f"line {_line(index)}, column 'section', value {section!r}: not a section of {spec.name}"
                + _suggest(section, list(spec.sections))
            )
        elif (section, category) not in spec.by_key:
            known = [c for s, c in spec.by_key if s == section]
            problems.append(
                f"line {_line(index)}, column 'category', value {category!r}: not a category of section "
                f"{section!r}" + _suggest(category, known)
            )
    return problems


def part4_problems(df: pd.DataFrame, spec: Part4File) -> list[str]:
    """Rules across columns and rows of a validated Part 4 file (empty list when it is sound).

    Parameters
    ----------
    df
        The validated table (index = data row number, 0 = file line 2).
    spec
        Which table of the return the file is (:data:`PART4_FILES`).

    Returns
    -------
    list of str
        One line per problem: an unknown section or category (with the closest known one), a
        count without its period or source, a category repeated for one period, or a count
        above a total it is part of in the same period (naming both lines).
    """
    problems = _key_problems(df, spec)
    counted = df["count"].notna()
    for column, advice in (
        ("period", "write the period the count covers (e.g. 2023-24)"),
        ("source", "say where the count comes from (e.g. 'Part 4 annual return 2023-24')"),
    ):
        for index in df.index[counted & df[column].isna()]:
            problems.append(f"line {_line(index)}, column {column!r}: empty, but the row has a count; {advice}")
    first: dict[tuple, int] = {}
    counts: dict[tuple, tuple[float, int]] = {}
    for index, section, category, period, count in zip(
        df.index, df["section"], df["category"], df["period"].fillna(""), df["count"]
    ):
        key = (section, category, period)
        if key in first:
            when = f"period {period!r}" if period else "no period"
            problems.append(
                f"line {_line(index)} repeats line {first[key]} (section {section!r}, category {category!r}, "
                f"{when}): give each category one row per period"
            )
            continue
        first[key] = _line(index)
        if pd.notna(count) and period:
            counts[key] = (count, _line(index))
    for (section, category, period), (count, line) in counts.items():
        item = spec.by_key.get((section, category))
        for whole in item.within if item else ():
            total = counts.get((*whole, period))
            if total is not None and count > total[0]:
                words = spec.by_key[whole].label
                problems.append(
                    f"line {line}, column 'count', value {count:g}: more than the {total[0]:g} of "
                    f"'{words}' in {period} (line {total[1]}), which it is part of"
                )
    return problems
