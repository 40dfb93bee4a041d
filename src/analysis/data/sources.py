"""The raw-file manifest (``data/raw/sources.yaml``): obtain, verify and describe raw files.

Third-party open data is never committed. :func:`get_raw_files` copies each file from a
local data mirror (``../shared/data`` by default) or downloads it from the URL where the
same bytes are published, and checks its SHA-256. :func:`verify_raw_files` recomputes the
checksums of everything in ``data/raw``. Raw files are never modified.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from analysis import config
from analysis.errors import DataFileError

#: libyaml's loader when PyYAML was built with it (same results, several times faster).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

KINDS = ("open_data", "authored", "local_example")
_REQUIRED_FIELDS = ("id", "kind", "path", "title", "publisher", "licence", "attribution", "vintage")


@dataclass(frozen=True)
class SourceFile:
    """One manifest entry (see ``data/raw/sources.yaml`` for the meaning of each field)."""

    id: str
    kind: str
    path: str
    title: str
    publisher: str
    licence: str
    attribution: str
    vintage: str
    sha256: str | None = None
    download_url: str | None = None
    obtain: str | None = None
    official_page: str | None = None
    geography: str | None = None
    caveats: str | None = None
    origin: dict = field(default_factory=dict)

    @property
    def local_path(self) -> Path:
        """Where the file lives in this workspace."""
        return config.RAW_DIR / self.path


def sha256_file(path: Path, chunk_size: int = 1 << 20) -> str:
    """Return the hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_manifest(path: Path | None = None) -> list[SourceFile]:
    """Read and check the manifest.

    Raises
    ------
    DataFileError
        If the manifest is missing, is not valid YAML, or an entry lacks a required field,
        has an unknown kind, or repeats an id or path.
    """
    path = Path(path) if path else config.MANIFEST_PATH
    if not path.is_file():
        raise DataFileError(
            f"The raw-data manifest {path} is missing.",
            "Restore data/raw/sources.yaml from git: git checkout -- data/raw/sources.yaml",
        )
    stat = path.stat()
    return list(_load_manifest(str(path), stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=8)
def _load_manifest(name: str, mtime_ns: int, size: int) -> tuple[SourceFile, ...]:
    """The manifest's entries, parsed once per file version (every report lists its sources)."""
    path = Path(name)
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
    except yaml.YAMLError as exc:
        raise DataFileError(f"{path} is not valid YAML: {exc}", "Fix the YAML syntax at the position shown.") from exc
    entries = doc.get("files") or []
    known = {f.name for f in SourceFile.__dataclass_fields__.values()}
    seen_ids: set[str] = set()
    seen_paths: set[str] = set()
    files: list[SourceFile] = []
    for number, entry in enumerate(entries, start=1):
        where = f"{path.name} entry {number} ({entry.get('id', 'no id')})"
        missing = [name for name in _REQUIRED_FIELDS if not entry.get(name)]
        if missing:
            raise DataFileError(
                f"{where} lacks {', '.join(missing)}.", "Every entry needs " + ", ".join(_REQUIRED_FIELDS) + "."
            )
        if entry["kind"] not in KINDS:
            raise DataFileError(f"{where} has kind {entry['kind']!r}.", f"Use one of {', '.join(KINDS)}.")
        if entry["id"] in seen_ids or entry["path"] in seen_paths:
            raise DataFileError(f"{where} repeats an id or path already in the manifest.", "Give each file one entry.")
        if entry["kind"] != "local_example" and not entry.get("sha256"):
            raise DataFileError(f"{where} has no sha256.", f"Run: analysis data hash {entry['path']}")
        seen_ids.add(entry["id"])
        seen_paths.add(entry["path"])
        files.append(SourceFile(**{k: v for k, v in entry.items() if k in known}))
    return tuple(files)


def get_source(source_id: str) -> SourceFile:
    """Return the manifest entry with this id (raises :class:`DataFileError` naming close ids)."""
    files = load_manifest()
    for item in files:
        if item.id == source_id:
            return item
    raise DataFileError(
        f"No raw file with id {source_id!r} in the manifest.", "Known ids: " + ", ".join(f.id for f in files)
    )


def _download(url: str, destination: Path, timeout: float) -> None:
    """Download ``url`` to ``destination`` through a temporary file (never a partial file in place)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=destination.parent, prefix=".download-")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            shutil.copyfileobj(response, out)
        os.replace(tmp_name, destination)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _copy(source: Path, destination: Path) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=destination.parent, prefix=".copy-")
    os.close(fd)
    try:
        shutil.copyfile(source, tmp_name)
        os.chmod(tmp_name, 0o444)  # raw data is read-only
        os.replace(tmp_name, destination)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def get_raw_files(
    mirror: Path | None = None,
    *,
    download: bool = True,
    force: bool = False,
    timeout: float = 60.0,
    report: Callable[[str], None] = print,
) -> list[Path]:
    """Obtain every open-data file in the manifest into ``data/raw`` and verify its checksum.

    Files already present with the right checksum are left alone (unless ``force``).
    Each missing file is copied from ``mirror`` (default :func:`config.default_mirror`)
    when the mirror has it, else downloaded from its ``download_url``.

    Returns
    -------
    list of Path
        The files copied or downloaded in this call.

    Raises
    ------
    DataFileError
        Naming the file, when it cannot be obtained or its checksum differs.
    """
    mirror = Path(mirror) if mirror else config.default_mirror()
    obtained: list[Path] = []
    problems: list[str] = []
    for item in load_manifest():
        if item.kind != "open_data":
            continue
        target = item.local_path
        if target.is_file() and not force and sha256_file(target) == item.sha256:
            continue
        if target.is_file():
            target.chmod(0o644)
        mirrored = mirror / item.path if mirror else None
        try:
            if mirrored is not None and mirrored.is_file():
                _copy(mirrored, target)
                how = f"copied from {mirror}"
            elif download and item.download_url:
                report(f"downloading {item.path} from {item.download_url}")
                _download(item.download_url, target, timeout)
                target.chmod(0o444)
                how = "downloaded"
            else:
                where = f"the mirror {mirror}" if mirror else "no data mirror (set ANALYSIS_DATA_MIRROR)"
                problems.append(
                    f"{item.path}: not in {where} and has no verbatim download. {item.obtain or ''}".strip()
                )
                continue
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            problems.append(f"{item.path}: could not be obtained ({exc}).")
            continue
        actual = sha256_file(target)
        if actual != item.sha256:
            target.unlink()
            problems.append(
                f"{item.path}: checksum {actual[:12]}... differs from the manifest's {item.sha256[:12]}... "
                "(the file obtained is not the recorded release; it was removed)."
            )
            continue
        report(f"ok  {item.path} ({how})")
        obtained.append(target)
    if problems:
        raise DataFileError(
            "Some raw files could not be obtained:\n  - " + "\n  - ".join(problems),
            "Check the mirror path (--mirror or ANALYSIS_DATA_MIRROR) or your network, then run "
            "'analysis data get' again; files already obtained are kept.",
        )
    return obtained


def verify_raw_files(files: Iterable[SourceFile] | None = None) -> list[SourceFile]:
    """Recompute the checksum of every manifest file that has one.

    Returns the entries checked. Raises :class:`DataFileError` naming every file that is
    missing or whose checksum differs, with the fix for each.
    """
    files = list(files) if files is not None else load_manifest()
    problems: list[str] = []
    checked: list[SourceFile] = []
    for item in files:
        if not item.sha256:
            continue
        target = item.local_path
        if not target.is_file():
            fix = (
                "run 'analysis data get'"
                if item.kind == "open_data"
                else "restore it with 'git checkout -- data/raw/" + item.path + "'"
            )
            problems.append(f"data/raw/{item.path} is missing: {fix}.")
            continue
        actual = sha256_file(target)
        if actual != item.sha256:
            if item.kind == "open_data":
                fix = "raw files are read-only; restore it with 'analysis data get --force'"
            else:
                fix = (
                    f"if you edited this authored table on purpose, record it with "
                    f"'analysis data hash {item.path}'; otherwise 'git checkout -- data/raw/{item.path}'"
                )
            problems.append(
                f"data/raw/{item.path} has changed (sha256 {actual[:12]}..., manifest {item.sha256[:12]}...): {fix}."
            )
            continue
        checked.append(item)
    if problems:
        raise DataFileError(
            "Raw data check failed:\n  - " + "\n  - ".join(problems),
            "Fix each file as listed above, then run the command again.",
        )
    return checked


def update_manifest_checksum(relative_path: str) -> str:
    """Record the current SHA-256 of an authored raw table in the manifest; return it.

    Only ``authored`` entries can be re-hashed: third-party files are immutable.
    The manifest is edited in place, line by line, so its comments survive.
    """
    relative_path = relative_path.replace("\\", "/")
    if relative_path.startswith("data/raw/"):
        relative_path = relative_path[len("data/raw/") :]
    entry = next((f for f in load_manifest() if f.path == relative_path), None)
    if entry is None:
        raise DataFileError(
            f"{relative_path} is not in data/raw/sources.yaml.", "Add an entry for it first (see data/raw/README.md)."
        )
    if entry.kind != "authored":
        raise DataFileError(
            f"{relative_path} is third-party {entry.kind} data and must not change.",
            "Restore it with 'analysis data get --force'; to use a newer release, add a new manifest entry.",
        )
    digest = sha256_file(entry.local_path)
    manifest = config.MANIFEST_PATH
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    in_entry = False
    for number, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("path:"):
            in_entry = stripped.split(":", 1)[1].strip().strip("'\"") == relative_path
        elif in_entry and stripped.startswith("sha256:"):
            indent = line[: len(line) - len(line.lstrip())]
            lines[number] = f"{indent}sha256: {digest}\n"
            break
    manifest.write_text("".join(lines), encoding="utf-8")
    return digest


def attribution_lines(ids: Iterable[str] | None = None) -> list[str]:
    """Return the distinct attribution statements of the given (default: all) manifest files."""
    files = load_manifest()
    if ids is not None:
        wanted = set(ids)
        files = [f for f in files if f.id in wanted]
    seen: dict[str, None] = {}
    for item in files:
        seen.setdefault(item.attribution, None)
    return list(seen)
