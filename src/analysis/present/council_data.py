"""What a report says about a council's own data: the files that would complete the picture, and where it came from."""

from __future__ import annotations

from analysis import config
from analysis.data.local_data import LocalData


def local_data_gaps(local: LocalData) -> list[str]:
    """Sentences naming the local data that would complete the picture for this area."""
    gaps = []
    if not local.has_supply:
        gaps.append(
            f"**Supply**: add `{local.relative(config.LOCAL_SUPPLY_FILE)}` (bedspaces by accommodation type "
            "and provider) to measure the gap against the standard and show supply by type."
        )
    else:
        supply = local.supply
        stated = set(supply["accommodation_type"])
        missing_types = [config.ACCOMMODATION_TYPE_LABELS[t] for t in config.ACCOMMODATION_TYPES if t not in stated]
        if missing_types:
            gaps.append(
                "**Supply by type**: no rows for "
                + ", ".join(missing_types)
                + " (add a row with 0 where there is none, so 'none' and 'not known' differ)."
            )
        no_beds = supply.loc[supply["bedspaces"].isna(), "accommodation_type"].map(config.ACCOMMODATION_TYPE_LABELS)
        if len(no_beds):
            gaps.append("**Bedspaces not stated** for " + ", ".join(dict.fromkeys(no_beds)) + ".")
    if not local.has_referrals:
        gaps.append(
            f"**Referrals**: add `{local.relative(config.LOCAL_REFERRALS_FILE)}` (received, accepted, "
            "declined, reasons, from outside the area, risk levels) to compare demand with the benchmark."
        )
    else:
        referrals = local.referrals
        counted = set(referrals.loc[referrals["count"].notna() & (referrals["category"] == "all"), "measure"])
        for measure, why in (
            ("received", "the denominator for intervals on every share"),
            ("accepted", "the accepted share of referrals"),
        ):
            if measure not in counted:
                gaps.append(f"**Referrals {measure.replace('_', ' ')}** (a count): {why}.")
        if "risk_level" not in set(referrals["measure"]):
            gaps.append("**Risk levels** of referrals (high, medium, standard).")
    gaps.extend(
        f"`{local.relative(name)}` was not read: only `{config.LOCAL_SUPPLY_FILE}` and "
        f"`{config.LOCAL_REFERRALS_FILE}` are (save tables as CSV UTF-8 with those names)."
        for name in local.other_files
    )
    return gaps


def source_lines(local: LocalData) -> list[str]:
    """One line per local file read: its path and the distinct sources its rows cite."""
    lines = []
    for name, table in ((config.LOCAL_SUPPLY_FILE, local.supply), (config.LOCAL_REFERRALS_FILE, local.referrals)):
        if table is not None:
            cited = "; ".join(dict.fromkeys(table["source"]))
            lines.append(
                f"Local data `{local.relative(name)}` (aggregate counts, read when this report ran), citing: {cited}"
            )
    return lines
