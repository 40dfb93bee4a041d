"""Tier-one authorities, regions and England: listing them and resolving a code or name.

Every reporting area is a row of the processed ``authorities`` table: the 152 English
upper-tier authorities of the 2021 geography (counties, unitary authorities, metropolitan
districts and London boroughs), the nine regions (London as a whole among them) and
England. :func:`resolve_area` turns what a user typed into one of them, or raises an
:class:`~analysis.errors.AreaError` that says what the input is and what to use instead.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
import warnings
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import pandas as pd

from analysis import config
from analysis.data import memo, tables
from analysis.errors import AreaError

LEVELS = ("utla", "region", "country")
CODE_PATTERN = re.compile(r"^[EWSNK]\d{8}$", re.IGNORECASE)
#: A misspelt name resolves on its own only when it is this similar (difflib ratio) to one
#: area and clearly closer to it than to any other; otherwise the error suggests matches.
AUTO_CORRECT_RATIO = 0.88
AUTO_CORRECT_MARGIN = 0.06
SUGGEST_RATIO = 0.6
_DROP_WORDS = (
    "county council",
    "city council",
    "borough council",
    "district council",
    "metropolitan borough",
    "council",
    "london borough of",
    "royal borough of",
    "city of",
    "county of",
    "borough of",
    "ua",
)


class AreaResolutionWarning(UserWarning):
    """A misspelt area name was taken to mean the closest authority."""


@dataclass(frozen=True)
class Area:
    """A reporting area: an upper-tier authority, a region or England."""

    code: str
    name: str
    level: str
    area_type: str
    region_code: str | None
    region_name: str | None
    part4_duty_holder_code: str | None
    part4_duty_holder_name: str | None
    slug: str

    @property
    def holds_part4_duty(self) -> bool:
        """True when this body itself holds the Part 4 duty (London boroughs do not: the GLA does)."""
        return self.part4_duty_holder_code == self.code

    @property
    def report_slug(self) -> str:
        """Folder name for this area's reports: ``<code>-<slug>``."""
        return f"{self.code}-{self.slug}"

    def to_dict(self) -> dict:
        return asdict(self)


def normalise_name(text: str, drop_council_words: bool = True) -> str:
    """Lower-case, strip accents and punctuation (and, by default, council words) from a name."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    text = text.replace("&", " and ").replace("-", " ")
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    text = " " + re.sub(r"\s+", " ", text).strip() + " "
    if drop_council_words:
        for word in _DROP_WORDS:
            text = text.replace(f" {word} ", " ")
    return re.sub(r"\s+", " ", text).strip()


def list_areas(levels: Iterable[str] = LEVELS, region: str | None = None) -> pd.DataFrame:
    """The reporting areas, optionally only some levels or one region's authorities.

    Parameters
    ----------
    levels
        Any of "utla", "region", "country".
    region
        A region name or E12 code: only upper-tier authorities in it.
    """
    levels = list(levels)
    bad = [level for level in levels if level not in LEVELS]
    if bad:
        raise AreaError(f"Unknown area level(s) {bad}.", f"Use any of {', '.join(LEVELS)}.")
    authorities = tables.read_table("authorities")
    rows = authorities[authorities["level"].isin(levels)]
    if region is not None:
        reg = resolve_area(region, levels=("region",))
        rows = rows[(rows["region_code"] == reg.code) & (rows["level"] == "utla")]
    return rows.reset_index(drop=True)


def get_area(code: str) -> Area:
    """The reporting area with exactly this GSS code (no fuzzy matching)."""
    area = _areas_by_code(tables.read_table("authorities")).get(code) if isinstance(code, str) else None
    if area is None:
        raise AreaError(f"{code!r} is not a reporting area code.", "Run 'analysis areas list' to see them.")
    return area


def _areas_by_code(authorities: pd.DataFrame) -> dict[str, Area]:
    """Code -> :class:`Area` for every row of an ``authorities`` table object, built once per object
    (reports resolve every area of England, e.g. for England-wide estimates). Read only."""
    return memo.derived(
        authorities, "areas_by_code", lambda table: {row["area_code"]: _to_area(row) for _, row in table.iterrows()}
    )


def _to_area(row: pd.Series) -> Area:
    def clean(value):
        return None if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA else str(value)

    return Area(
        code=row["area_code"],
        name=row["area_name"],
        level=row["level"],
        area_type=row["area_type"],
        region_code=clean(row["region_code"]),
        region_name=clean(row["region_name"]),
        part4_duty_holder_code=clean(row["part4_duty_holder_code"]),
        part4_duty_holder_name=clean(row["part4_duty_holder_name"]),
        slug=row["slug"],
    )


def _describe(row: pd.Series) -> str:
    return f"{row['area_name']} ({row['area_code']})"


def _name_index(authorities: pd.DataFrame, drop_council_words: bool) -> dict[str, set[str]]:
    """Normalised name or alias -> area codes."""
    index: dict[str, set[str]] = {}
    for row in authorities.itertuples(index=False):
        for name in [row.area_name, *str(row.aliases or "").split("|")]:
            key = normalise_name(name, drop_council_words)
            if key:
                index.setdefault(key, set()).add(row.area_code)
    return index


def _resolve_code(code: str, authorities: pd.DataFrame, levels: tuple[str, ...]) -> Area:
    match = authorities[authorities["area_code"] == code]
    if not match.empty:
        row = match.iloc[0]
        if row["level"] not in levels:
            raise AreaError(
                f"{_describe(row)} is a {row['area_type']}, which is not accepted here.",
                f"Give an area of level {', '.join(levels)}.",
            )
        return _to_area(row)
    districts = tables.read_table("areas")
    district = districts[districts["ltla_code"] == code]
    if not district.empty:
        d = district.iloc[0]
        raise AreaError(
            f"{d['ltla_name']} ({code}) is a lower-tier district council, which does not hold the Part 4 duty.",
            f"Use its upper-tier authority {d['utla_name']} ({d['utla_code']}), which holds the duty for it"
            + (
                f" (in London the duty sits with the {config.GLA_NAME}, {config.LONDON_CODE})."
                if d["utla_code"].startswith("E09")
                else "."
            ),
        )
    changes = tables.read_table("area_changes")
    change = changes[changes["code"] == code]
    if not change.empty:
        c = change.iloc[0]
        instead = [
            f"{n} ({k})"
            for k, n in zip(str(c["use_instead_codes"]).split("|"), str(c["use_instead_names"]).split("|"))
            if k
        ]
        advice = (
            "In the workspace's " + config.GEOGRAPHY_VINTAGE + ", use " + " or ".join(instead)
            if instead
            else "It has no equivalent in the workspace's " + config.GEOGRAPHY_VINTAGE
        )
        raise AreaError(
            f"{c['name']} ({code}) was {c['change'].replace('this geography vintage', 'the workspace geography')} "
            f"(on {c['date']}).",
            advice + ".",
        )
    if code[0] in "WSN":
        nation = {"W": "Wales", "S": "Scotland", "N": "Northern Ireland"}[code[0]]
        raise AreaError(
            f"{code} is an area in {nation}; Part 4 of the Domestic Abuse Act 2021 applies to England only.",
            "Give an English upper-tier authority, region or England.",
        )
    close = difflib.get_close_matches(code, authorities["area_code"].tolist(), n=5, cutoff=0.7)
    names = dict(zip(authorities["area_code"], authorities["area_name"]))
    hint = (
        ("Closest codes: " + ", ".join(f"{names[c]} ({c})" for c in close))
        if close
        else ("Run 'analysis areas list' to see every code.")
    )
    raise AreaError(f"{code} is not a known area code in the workspace's {config.GEOGRAPHY_VINTAGE}.", hint)


def resolve_area(query: str, levels: Iterable[str] = LEVELS) -> Area:
    """Resolve a GSS code or a name to a reporting area.

    Accepts codes in any case (``"e10000014"``), official and common names and aliases
    ("Hampshire", "Hampshire County Council", "Bristol", "Hull") and close misspellings
    ("Hampshre"), which resolve with an :class:`AreaResolutionWarning`.

    Parameters
    ----------
    query
        What the user typed.
    levels
        Which kinds of area are acceptable ("utla", "region", "country").

    Raises
    ------
    AreaError
        For an unknown or ambiguous input (listing the closest matches), a lower-tier
        district (naming its upper-tier authority), a code from a later or earlier
        reorganisation (naming the authority to use), or a non-English code.
    """
    levels = tuple(levels)
    if not isinstance(query, str) or not query.strip():
        raise AreaError(
            f"An area must be a GSS code or a name, got {query!r}.",
            f"For example {config.DEFAULT_AREA_CODE} or '{config.DEFAULT_AREA_NAME}'.",
        )
    text = query.strip()
    authorities = tables.read_table("authorities")
    if CODE_PATTERN.match(text):
        known = _areas_by_code(authorities).get(text.upper())
        if known is not None and known.level in levels:
            return known
        return _resolve_code(text.upper(), authorities, levels)

    candidates = authorities[authorities["level"].isin(levels)]
    by_code = candidates.set_index("area_code")

    def describe_codes(codes: Iterable[str], keep_order: bool = False) -> str:
        ordered = list(codes) if keep_order else sorted(codes)
        return ", ".join(f"{by_code.loc[c, 'area_name']} ({c})" for c in ordered)

    # Exact names first as typed ("City of London"), then without council words ("Hampshire County Council").
    full = _name_index(candidates, drop_council_words=False).get(normalise_name(text, drop_council_words=False), set())
    if len(full) == 1:
        return _to_area(candidates[candidates["area_code"] == next(iter(full))].iloc[0])
    index = _name_index(candidates, drop_council_words=True)
    key = normalise_name(text)
    exact = full or index.get(key, set())
    if len(exact) == 1:
        return _to_area(candidates[candidates["area_code"] == next(iter(exact))].iloc[0])
    if len(exact) > 1:
        raise AreaError(
            f"{query!r} matches more than one area: {describe_codes(exact)}.", "Give the GSS code of the one you mean."
        )

    # A lower-tier district or a reorganised authority named in words.
    districts = tables.read_table("areas")
    district_names = {normalise_name(n): c for n, c in zip(districts["ltla_name"], districts["ltla_code"])}
    if key in district_names and district_names[key] not in set(authorities["area_code"]):
        return _resolve_code(district_names[key], authorities, levels)
    changes = tables.read_table("area_changes")
    change_names = {normalise_name(n): c for n, c in zip(changes["name"], changes["code"])}
    if key in change_names:
        return _resolve_code(change_names[key], authorities, levels)

    # Names containing the query as whole words: "Yorkshire", "Sussex", "Northamptonshire".
    words = set(key.split())
    partial = {code for name, codes in index.items() if words and words <= set(name.split()) for code in codes}
    if len(partial) > 1:
        raise AreaError(
            f"{query!r} is ambiguous: it could be {describe_codes(partial)}.",
            "Give the full name or the GSS code of the one you mean.",
        )

    scored = sorted(((difflib.SequenceMatcher(None, key, name).ratio(), name) for name in index), reverse=True)
    if scored:
        best_ratio, best_name = scored[0]
        runner_up = next((r for r, n in scored[1:] if index[n] != index[best_name]), 0.0)
        if (
            best_ratio >= AUTO_CORRECT_RATIO
            and best_ratio - runner_up >= AUTO_CORRECT_MARGIN
            and len(index[best_name]) == 1
        ):
            area = _to_area(candidates[candidates["area_code"] == next(iter(index[best_name]))].iloc[0])
            warnings.warn(
                f"Area {query!r} taken to mean {area.name} ({area.code}).", AreaResolutionWarning, stacklevel=2
            )
            return area
    if len(partial) == 1:
        return _to_area(candidates[candidates["area_code"] == next(iter(partial))].iloc[0])
    suggestions: dict[str, None] = {}
    for ratio, name in scored:
        if ratio < SUGGEST_RATIO or len(suggestions) >= 5:
            break
        for code in sorted(index[name]):
            suggestions.setdefault(code, None)
    hint = (
        f"Did you mean {describe_codes(list(suggestions)[:5], keep_order=True)}?"
        if suggestions
        else "Run 'analysis areas list' to see every authority, or 'analysis areas find TEXT' to search."
    )
    raise AreaError(f"No area called {query!r} in the workspace's {config.GEOGRAPHY_VINTAGE}.", hint)


def region_of(area: Area) -> Area | None:
    """The region containing an upper-tier authority (None for England)."""
    if area.level == "region":
        return area
    return get_area(area.region_code) if area.region_code else None


def neighbours_in_region(area: Area) -> pd.DataFrame:
    """The other upper-tier authorities in the same region as ``area``."""
    if area.level != "utla":
        raise AreaError(f"{area.name} is a {area.area_type}, not an upper-tier authority.")
    rows = list_areas(levels=("utla",))
    return rows[(rows["region_code"] == area.region_code) & (rows["area_code"] != area.code)].reset_index(drop=True)


def with_region_and_england(area: Area) -> list[Area]:
    """The area, then its region (for an upper-tier authority), then England, without repeats."""
    chosen = [area]
    region = region_of(area) if area.level == "utla" else None
    if region is not None:
        chosen.append(region)
    if area.code != config.ENGLAND_CODE:
        chosen.append(get_area(config.ENGLAND_CODE))
    return chosen
