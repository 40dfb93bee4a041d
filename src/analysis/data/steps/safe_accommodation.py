"""National safe accommodation facts: refuge demand and supply figures for England.

Sources: the authored table ``authored/national_safe_accommodation_facts.csv`` (figures typed in
from publications, each row citing its page) and two transcribed files, the MHCLG/DLUHC Part 4
headline figures and the Women's Aid refuge space counts.

Table
-----
``safe_accommodation_facts``  one row per published figure (period, geography, measure), the
                              same figure from two files kept once with the other named in ``notes``.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis import config
from analysis.data.schemas.safe_accommodation import AuthoredSafeAccommodationFacts, SafeAccommodationFacts
from analysis.data.steps.base import Step, read_raw_csv
from analysis.errors import ValidationError

FACT_COLUMNS = [
    "period",
    "geography_code",
    "geography_name",
    "measure",
    "value",
    "unit",
    "accommodation_type",
    "source_title",
    "source_url",
    "source_document",
    "notes",
    "source_id",
]
FACT_KEY = ["period", "geography_code", "measure"]
#: Accommodation type of the measures in the transcribed files (others have none).
STAGED_FACT_TYPES = {
    "commissioned_units_sanctuary_schemes": "sanctuary_scheme",
    "commissioned_refuge_bedspaces": "refuge",
    "refuge_spaces": "refuge",
    "refuge_bedspaces": "refuge",
}
#: Measures of commissioned places by type, which must add up to ``commissioned_bedspaces_all_types``.
COMMISSIONED_BY_TYPE = (
    "commissioned_units_sanctuary_schemes",
    "commissioned_refuge_bedspaces",
    "commissioned_units_dispersed",
    "commissioned_units_specialist",
    "commissioned_units_second_stage",
    "commissioned_units_other",
)


def _staged_facts(source_id: str) -> pd.DataFrame:
    frame = read_raw_csv(source_id, SafeAccommodationFacts, dtype={"period": str, "notes": str})
    return frame.assign(
        unit=frame["measure"].str.contains("_pct").map({True: "percent", False: "count"}),
        accommodation_type=frame["measure"].map(STAGED_FACT_TYPES),
        source_document=None,
        source_id=source_id,
    )


def _check_commissioned_total(facts: pd.DataFrame) -> None:
    for period, rows in facts[facts["geography_code"] == config.ENGLAND_CODE].groupby("period"):
        values = rows.set_index("measure")["value"]
        if "commissioned_bedspaces_all_types" in values and all(m in values for m in COMMISSIONED_BY_TYPE):
            parts = float(values[list(COMMISSIONED_BY_TYPE)].sum())
            if parts != values["commissioned_bedspaces_all_types"]:
                raise ValidationError(
                    f"Commissioned places by type for {period} add up to {parts:,.0f}, not the "
                    f"{values['commissioned_bedspaces_all_types']:,.0f} given as the total.",
                    "Check the rows of data/raw/authored/national_safe_accommodation_facts.csv.",
                )


def build_safe_accommodation_facts(given: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """National safe accommodation figures: the authored table first, then the two transcribed files.

    The same figure (period, geography, measure) from two sources is kept once, with the
    other source named in ``notes``; two different values for one figure stop the build, as
    do commissioned places by type that do not add up to the published total.

    Parameters
    ----------
    given
        Not used (the step needs no earlier table).

    Returns
    -------
    dict
        ``safe_accommodation_facts``: columns :data:`FACT_COLUMNS`, one row per :data:`FACT_KEY`.
    """
    authored = read_raw_csv(
        "safe_accommodation_facts_authored", AuthoredSafeAccommodationFacts, dtype={"period": str, "notes": str}
    )
    authored["source_id"] = "safe_accommodation_facts_authored"
    combined = pd.concat(
        [
            authored[FACT_COLUMNS],
            _staged_facts("part4_england_headlines")[FACT_COLUMNS],
            _staged_facts("womens_aid_refuge_headlines")[FACT_COLUMNS],
        ],
        ignore_index=True,
    )
    combined["value"] = combined["value"].astype("float64")
    spread = combined.groupby(FACT_KEY)["value"].agg(["min", "max"])
    conflicts = spread[spread["min"] != spread["max"]]
    if len(conflicts):
        period, code, measure = conflicts.index[0]
        raise ValidationError(
            f"Conflicting values for {measure} ({code}, {period}): {conflicts.iloc[0]['min']:g} and "
            f"{conflicts.iloc[0]['max']:g} in different source files.",
            "Keep one value per period, geography and measure, or give the figures different measure names.",
        )
    repeats = combined[combined.duplicated(FACT_KEY, keep="first")]
    also = repeats.groupby(FACT_KEY)["source_id"].agg(lambda ids: ", ".join(dict.fromkeys(ids)))
    facts = combined.drop_duplicates(FACT_KEY, keep="first").set_index(FACT_KEY)
    facts["notes"] = facts["notes"].fillna("")
    facts.loc[also.index, "notes"] = (
        facts.loc[also.index, "notes"] + " Same figure also in: " + also + "."
    ).str.strip()
    facts = facts.reset_index()[FACT_COLUMNS]
    _check_commissioned_total(facts)
    return {"safe_accommodation_facts": facts.sort_values(FACT_KEY + ["source_id"]).reset_index(drop=True)}


STEPS = (
    Step(
        "safe_accommodation_facts",
        ("safe_accommodation_facts_authored", "part4_england_headlines", "womens_aid_refuge_headlines"),
        ("safe_accommodation_facts",),
        build_safe_accommodation_facts,
    ),
)
