"""What the homelessness reader looks for: quarters, and the tables and columns of each edition.

The header rules of every MHCLG table (:class:`Table`, found by title) and column (:class:`Measure`,
found by header text), with the quarters in which MHCLG publishes each, for
:mod:`analysis.data.steps.homelessness`, which applies them. Source: MHCLG, *Statutory homelessness:
detailed local authority-level tables* (one workbook a quarter from April-June 2018), each edition's
own table titles and headers; the table list is in that module's docstring.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")  # fmt: skip

# ------------------------------------------------------------------------------------------
# Quarters
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter, labelled as MHCLG does (financial years start in April)."""

    start: date

    def __post_init__(self) -> None:
        if self.start.day != 1 or self.start.month not in (1, 4, 7, 10):
            raise ValueError(f"A quarter starts on 1 January, April, July or October, not {self.start}.")

    @property
    def fy_start_year(self) -> int:
        """Calendar year in which the quarter's financial year starts (April)."""
        return self.start.year if self.start.month >= 4 else self.start.year - 1

    @property
    def financial_year(self) -> str:
        """E.g. "2023-24"."""
        return f"{self.fy_start_year}-{(self.fy_start_year + 1) % 100:02d}"

    @property
    def number(self) -> int:
        """Quarter of the financial year: April-June is 1."""
        return (self.start.month - 4) % 12 // 3 + 1

    @property
    def label(self) -> str:
        """E.g. "2023-24 Q2"."""
        return f"{self.financial_year} Q{self.number}"

    @property
    def name(self) -> str:
        """E.g. "July to September 2023" (as in the table titles)."""
        return f"{MONTH_NAMES[self.start.month - 1]} to {MONTH_NAMES[self.start.month + 1]} {self.start.year}"

    @property
    def vintage(self) -> str:
        """E.g. "July-September 2023" (the manifest's vintage)."""
        return f"{MONTH_NAMES[self.start.month - 1]}-{MONTH_NAMES[self.start.month + 1]} {self.start.year}"

    @property
    def end_yyyymm(self) -> str:
        """Last month as in MHCLG's file names, e.g. "202309"."""
        return f"{self.start.year}{self.start.month + 2:02d}"

    @property
    def source_id(self) -> str:
        """Manifest id, e.g. "homelessness_2023_q2"."""
        return f"homelessness_{self.fy_start_year}_q{self.number}"


# ------------------------------------------------------------------------------------------
# What to read: tables (found by title) and measures (found by header text)
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """One column to read.

    ``headers`` holds alternatives tried in turn; each is a tuple of regular expressions (on
    lower-cased header text) whose last must match a header cell of the column itself and whose
    others must match a header above it or covering it. ``first``/``last`` bound the quarters
    (ISO start dates) in which MHCLG publishes the column: there, a missing header is an error.
    """

    name: str
    label: str
    headers: tuple[tuple[str, ...], ...]
    first: str = "2018-04-01"
    last: str = "9999-12-31"

    def expected(self, quarter: Quarter) -> bool:
        return self.first <= quarter.start.isoformat() <= self.last


@dataclass(frozen=True)
class Table:
    """One MHCLG table: its title pattern, the quarters that publish it and the measures read."""

    code: str
    title: str
    measures: tuple[Measure, ...]
    windows: tuple[tuple[str, str], ...] = (("2018-04-01", "9999-12-31"),)

    def expected(self, quarter: Quarter) -> bool:
        start = quarter.start.isoformat()
        return any(first <= start <= last for first, last in self.windows)


DA_TOTAL = ((r"^total domestic abuse",), (r"^domestic abuse\W*\d*$",))
SPLIT_FROM = "2023-07-01"  # July-September 2023: domestic abuse split into victim / alleged perpetrator


def _reason_measures(duty: str, total: str) -> tuple[Measure, ...]:
    """A2 / A2P / A2R: the duty's total and its domestic abuse reason columns."""
    split = (
        ("victim", "Domestic abuse > Victim", ((r"^domestic abuse", r"^victim"),)),
        (
            "alleged_perpetrator",
            "Domestic abuse > Alleged perpetrator",
            ((r"^domestic abuse", r"^alleged perpetrator"),),
        ),
        ("retired_option", "Retired 'Domestic abuse' option", ((r"^retired\W+domestic abuse\W+option",),)),
    )
    measures = [
        Measure(f"{duty}_reason_total", f"Total owed a {total}", ((rf"^total owed a {total}",),)),
        Measure(f"{duty}_reason_domestic_abuse", "Domestic abuse", DA_TOTAL),
    ]
    if duty != "prevention_or_relief_duty":
        measures += [
            Measure(f"{duty}_reason_domestic_abuse_{key}", label, h, first=SPLIT_FROM) for key, label, h in split
        ]
    return tuple(measures)


def _refuge(duty: str) -> tuple[Measure, ...]:
    return (Measure(f"{duty}_accommodation_refuge", "Refuge", ((r"^refuge\W*\d*$",),)),)


BOTH = r"(homelessness duty|prevention or relief duty)"
TABLES: tuple[Table, ...] = (
    Table(
        "A1",
        r"households (by initial assessment|assessed and owed a prevention or relief duty)",
        (
            Measure(
                "households_owed_prevention_or_relief_duty",
                "Total owed a prevention or relief duty",
                ((r"^total owed a prevention or relief duty",), (r"^assessed as owed a duty", r"^total$")),
            ),
            Measure(
                "households_owed_prevention_duty",
                "Prevention duty owed",
                ((r"^threatened with homelessness( within 56 days)? - prevention duty owed",),),
            ),
            Measure(
                "households_owed_relief_duty", "Relief duty owed", ((r"^(already )?homeless - relief duty owed",),)
            ),
            Measure(
                "households_in_area_thousands",
                "Number of households in area (000s)",
                ((r"^number of households in area\W*\d*\s*\(000s\)",),),
                first="2019-04-01",
            ),
        ),
    ),
    Table(
        "A2",
        rf"{BOTH} by reason for loss|reason for loss of last settled home for households assessed as owed a prev",
        _reason_measures("prevention_or_relief_duty", "prevention or relief duty"),
        (("2018-04-01", "2020-04-01"),),
    ),
    Table(
        "A2P",
        r"owed a prevention duty by reason",
        _reason_measures("prevention_duty", "prevention duty"),
        (("2020-04-01", "9999-12-31"),),
    ),
    Table(
        "A2R",
        r"owed a relief duty by reason",
        _reason_measures("relief_duty", "relief duty"),
        (("2020-07-01", "9999-12-31"),),
    ),
    Table(
        "A3",
        r"support needs",
        (
            Measure(
                "duty_owed_support_need_any",
                "One or more support needs > Total",
                ((r"one or more support needs", r"^total"),),
            ),  # fmt: skip
            Measure(
                "duty_owed_support_need_domestic_abuse",
                "At risk of / has experienced domestic abuse",
                ((r"at risk of / has experienced domestic abuse",),),
            ),
            Measure(
                "duty_owed_support_need_young_person_16_17",
                "Young person aged 16-17 years",
                ((r"young person aged 16-17",),),
            ),  # fmt: skip
        ),
    ),
    Table(
        "A4",
        rf"{BOTH} by accommodation at time|accommodation at time of application for households assessed as owed a p",
        _refuge("prevention_or_relief_duty"),
        (("2018-04-01", "2020-04-01"),),
    ),
    Table(
        "A4P", r"owed a prevention duty by accommodation", _refuge("prevention_duty"), (("2020-07-01", "9999-12-31"),)
    ),
    Table("A4R", r"owed a relief duty by accommodation", _refuge("relief_duty"), (("2020-07-01", "9999-12-31"),)),
    Table(
        "A6",
        r"age of main applicants assessed as owed",
        (Measure("prevention_or_relief_duty_main_applicant_aged_16_17", "16-17", ((r"^16\s*-\s*17$",),)),),
        (("2018-04-01", "2019-01-01"), ("2020-07-01", "9999-12-31")),
    ),
    Table(
        "MD3",
        r"main duty by priority need|priority need category of households owed a main duty",
        (
            Measure(
                "main_duty_total", "Total households owed a main duty", ((r"^total households owed a main duty",),)
            ),
            Measure("main_duty_priority_need_domestic_abuse", "Domestic abuse", ((r"^domestic abuse\W*\d*$",),)),
        ),
    ),
)
MEASURES: dict[str, Measure] = {m.name: m for t in TABLES for m in t.measures}
