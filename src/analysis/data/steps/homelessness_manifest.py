"""Manifest entries for the homelessness workbooks, and ``analysis data add`` for MHCLG's next one.

Each workbook is one ``kind: open_data`` entry in ``data/raw/sources.yaml`` with id
``homelessness_YYYY_qN`` (financial year starting April YYYY, quarter N), its quarter as
``vintage`` ("July-September 2023"), its sha256 and MHCLG's official page. The 31 workbooks of
April-June 2018 to October-December 2025 also record the repository their bytes came from
(section 7 of the data mirror's ``SOURCES.md``); a workbook the user saves later from MHCLG's
page is recorded by :func:`record_workbook` with no origin and an ``obtain`` note instead (the
manifest accepts only the kinds open_data, authored and local_example, and this is open data).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from analysis import config
from analysis.data import sources
from analysis.data.steps.homelessness import (
    OFFICIAL_PAGE,
    RAW_FOLDER,
    WORKBOOK_SUFFIXES,
    Quarter,
    read_workbook,
)
from analysis.errors import DataFileError
from analysis.files import write_atomic

#: Where the project's copies of the 31 workbooks (2018-06 to 2025-12) came from (SOURCES.md s. 7).
ORIGIN_REPOSITORY = "MastodonC/witan.homelessness.benchmarking"
ORIGIN_FOLDER = "resources/homelessness-statistics"
ORIGIN_COMMIT = "1c9c24bca478fb710da00890c313a8e1b85d4b0b"
ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. Source: Ministry of "
    "Housing, Communities and Local Government, Statutory homelessness statistics (H-CLIC)"
)
CAVEATS = (
    "Households owed a statutory homelessness duty, not people. England and regional rows are rounded to the "
    "nearest 10 and include MHCLG's estimates for authorities that did not submit; authority rows are unrounded; "
    "'..' is missing data and '-' a suppressed count (fewer than 5). The edition in this file; MHCLG may revise "
    "the quarter later."
)


def manifest_entry(path: Path, *, origin: bool = False) -> dict:
    """A manifest entry for one workbook, with its quarter, authority count and sha256 read from it.

    ``origin`` records the project's source repository (the 31 workbooks of SOURCES.md section 7);
    otherwise the entry says the file was saved from MHCLG's page (see :func:`record_workbook`).
    """
    path = Path(path)
    rows = read_workbook(path)
    quarter = Quarter(rows["quarter_start"].iat[0].date())
    n_authorities = rows.loc[rows["level"] == "ltla", "geography_code"].nunique()
    edition = re.search(r"_(revised|fixed|fix|all_dropdowns_fix)$", path.stem, re.IGNORECASE)
    entry = {
        "id": quarter.source_id,
        "kind": "open_data",
        "path": f"{RAW_FOLDER}/{path.name}",
        "title": f"Statutory homelessness: detailed local authority-level tables, {quarter.name} (H-CLIC)",
        "publisher": "Ministry of Housing, Communities and Local Government (MHCLG; formerly DLUHC)",
        "licence": "OGL-3.0",
        "attribution": ATTRIBUTION,
        "vintage": quarter.vintage,
        "geography": f"England, 9 regions and {n_authorities} lower-tier housing authorities (codes of the quarter)",
        "official_page": OFFICIAL_PAGE,
    }
    if origin:
        source_path = f"{ORIGIN_FOLDER}/{path.name}"
        entry["origin"] = {"repository": ORIGIN_REPOSITORY, "path": source_path, "commit": ORIGIN_COMMIT}
        entry["download_url"] = f"https://raw.githubusercontent.com/{ORIGIN_REPOSITORY}/{ORIGIN_COMMIT}/{source_path}"
    else:
        entry["download_url"] = None
        entry["obtain"] = (
            f"Saved by the user from {OFFICIAL_PAGE} and recorded with 'analysis data add'. It is not in the data "
            "mirror: copy it into the mirror's homelessness/ folder so other checkouts can obtain it."
        )
    entry["sha256"] = sources.sha256_file(path)
    entry["caveats"] = CAVEATS + (f" MHCLG's '{edition.group(1)}' edition." if edition else "")
    return entry


def _yaml_scalar(value: object) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=10**6, allow_unicode=True).strip()
    return text[: -len("...")].strip() if text.endswith("...") else text


def format_manifest_entry(entry: dict) -> str:
    """The entry as YAML lines in the manifest's own style (origin on one line)."""
    lines = []
    for number, (key, value) in enumerate(entry.items()):
        if isinstance(value, dict):
            text = "{" + ", ".join(f"{k}: {_yaml_scalar(v)}" for k, v in value.items()) + "}"
        else:
            text = _yaml_scalar(value)
        lines.append(f"{'  - ' if number == 0 else '    '}{key}: {text}")
    return "\n".join(lines) + "\n"


def _raw_workbook(path: str | Path) -> Path:
    """Resolve ``homelessness/<file>`` (or data/raw/..., or an absolute path) inside data/raw."""
    folder = (config.RAW_DIR / RAW_FOLDER).resolve()
    text = str(path).replace("\\", "/")
    if text.startswith("data/raw/"):
        text = text[len("data/raw/") :]
    candidate = Path(text) if Path(text).is_absolute() else config.RAW_DIR / text
    candidate = candidate.resolve()
    if candidate.parent != folder:
        raise DataFileError(
            f"{path} is not in data/raw/{RAW_FOLDER}/.",
            f"Save MHCLG's workbook unchanged into data/raw/{RAW_FOLDER}/ and run "
            f"'analysis data add {RAW_FOLDER}/<file>'.",
        )
    if candidate.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise DataFileError(f"{candidate.name} is not a workbook ({', '.join(WORKBOOK_SUFFIXES)}).")
    if not candidate.is_file():
        raise DataFileError(f"data/raw/{RAW_FOLDER}/{candidate.name} does not exist.", "Check the file name.")
    return candidate


def record_workbook(path: str | Path) -> dict:
    """Add MHCLG's next quarterly workbook to the manifest (``analysis data add``); return the entry.

    The workbook must already be in ``data/raw/homelessness/``. Its quarter is read from its table
    titles and the whole workbook is parsed first, so a workbook the build could not read is refused
    before the manifest changes. The entry is ``kind: open_data`` (third-party data, never edited)
    with no ``origin`` or ``download_url``: its ``obtain`` says it was saved from MHCLG's page.

    Raises
    ------
    DataFileError
        If the file is outside data/raw/homelessness/, already recorded, or its quarter is already in
        the manifest (naming both files).
    ValidationError
        If the workbook cannot be read (see :func:`read_workbook`).
    """
    target = _raw_workbook(path)
    relative = f"{RAW_FOLDER}/{target.name}"
    files = sources.load_manifest()
    same = next((f for f in files if f.path == relative), None)
    if same is not None:
        raise DataFileError(f"data/raw/{relative} is already in the manifest as {same.id}.", "Nothing to add.")
    entry = manifest_entry(target)
    clash = next((f for f in files if f.id == entry["id"] or (f.path.startswith(f"{RAW_FOLDER}/")
                                                              and f.vintage == entry["vintage"])), None)  # fmt: skip
    if clash is not None:
        raise DataFileError(
            f"{target.name} holds {entry['vintage']}, a quarter the manifest already has: {clash.path} "
            f"(id {clash.id}). One workbook per quarter: {target.name} was not recorded.",
            f"If {target.name} is MHCLG's revised edition, remove the entry for {clash.path} from "
            "data/raw/sources.yaml (and the old file), then run 'analysis data add' again.",
        )
    manifest = config.MANIFEST_PATH
    before = manifest.read_text(encoding="utf-8")
    write_atomic(manifest, before.rstrip("\n") + "\n\n" + format_manifest_entry(entry))
    try:
        sources.load_manifest(manifest)
    except DataFileError:
        write_atomic(manifest, before)
        raise
    return entry
