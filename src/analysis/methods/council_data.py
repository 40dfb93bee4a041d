"""A council's own data for an area: its local folders checked against the authority register, then read.

The files are read and validated by :mod:`analysis.data.local_data`; this module knows the
authorities (:mod:`analysis.methods.areas`), so it checks each folder is named with an
upper-tier authority's GSS code and loads the files of one area.
"""

from __future__ import annotations

from pathlib import Path

from analysis import config
from analysis.data.local_data import LocalData, read_local_files
from analysis.errors import AreaError
from analysis.methods.areas import CODE_PATTERN, Area, resolve_area


def check_folder_name(name: str) -> Area:
    """The authority a local data folder belongs to, or :class:`AreaError` saying how to rename it.

    The name must be the exact (upper-case) GSS code of an upper-tier authority, or
    E12000007 for London as a whole.
    """
    where = f"data/raw/local/{name}"
    if not CODE_PATTERN.match(name):
        try:
            area = resolve_area(name, levels=("utla", "region"))
        except AreaError:
            raise AreaError(
                f"{where}: local data folders are named with an authority's GSS code, not {name!r}.",
                "Rename it to the upper-tier authority's code (e.g. E10000014 for Hampshire); "
                "'analysis areas find NAME' gives the code.",
            ) from None
        raise AreaError(
            f"{where}: local data folders are named with the authority's GSS code, not its name.",
            f"Rename the folder to {area.code} ({area.name}).",
        )
    try:
        area = resolve_area(name, levels=("utla", "region"))
    except AreaError as exc:
        raise AreaError(
            f"{where}: the folder name is not an upper-tier authority code. {exc.message}",
            f"{exc.hint + '. ' if exc.hint else ''}Rename the folder to the code of the authority "
            "the files describe, or remove it.",
        ) from None
    if name != area.code:
        raise AreaError(f"{where}: write the code in capitals.", f"Rename the folder to {area.code}.")
    if area.level == "region" and area.code != config.LONDON_CODE:
        raise AreaError(
            f"{where}: {area.name} is a region, which does not hold the Part 4 duty.",
            "Put each upper-tier authority's files in its own folder (e.g. data/raw/local/E10000014).",
        )
    return area


def check_local_folders() -> dict[str, Path]:
    """Every local data folder, keyed by its area code, after checking each folder's name.

    Raises
    ------
    AreaError
        For the first folder whose name is not an upper-tier authority code (a district,
        an unknown or reorganised code, a name, lower case), saying what to rename it to.
    """
    base = config.LOCAL_DIR
    if not base.is_dir():
        return {}
    folders = sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    return {check_folder_name(folder.name).code: folder for folder in folders}


def load_local_data(area: Area) -> LocalData:
    """Read and validate the local data of ``area``; absent files give ``None``, not an error.

    Every folder under ``data/raw/local`` is checked first, so a misnamed folder is
    reported rather than silently ignored.

    Raises
    ------
    AreaError
        A local data folder is not named with an upper-tier authority code.
    ValidationError
        A present file is empty, not UTF-8, not a CSV table, or breaks its schema.
    """
    folders = check_local_folders()
    return read_local_files(area.code, folders.get(area.code, config.LOCAL_DIR / area.code))
