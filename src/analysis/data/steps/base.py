"""What a build step is, what the engine gives it, and how it reads its raw files.

A :class:`Step` names the manifest files it reads (``inputs``: ids in ``data/raw/sources.yaml``),
the processed tables it writes (``outputs``) and the tables of earlier steps it uses (``needs``).
The engine (:mod:`analysis.data.build`) calls ``step.run(given)`` with a :class:`StepInputs`: a
read-only mapping of the needed tables that also says which of the step's raw files changed since
the last build (:attr:`StepInputs.changed`) and hands back the step's own last outputs
(:meth:`StepInputs.previous`), so a step that reads many files can reread only the changed ones.

:func:`read_raw_csv` is how a step reads a manifest CSV: located through the manifest,
BOM-tolerant, and validated against its pandera model (:mod:`analysis.data.schemas`) so a bad
file is refused naming file, line, column and value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.data import sources
from analysis.data.schemas import validate_table
from analysis.errors import DataFileError, ParameterError, ValidationError


class StepInputs(Mapping[str, pd.DataFrame]):
    """What the engine gives a step: the tables it needs, and what changed since the last build.

    Parameters
    ----------
    tables
        The tables of earlier steps that the step declared in :attr:`Step.needs`.
    changed
        Ids of the step's raw files (:attr:`Step.inputs`) whose checksum differs from the
        last build's record.
    previous
        Returns one of the step's tables as the last build wrote it, or ``None``; omitted when
        there is no last build to reuse.

    Notes
    -----
    When the engine offers a last build to reuse, ``changed`` may be a proper subset of the
    step's inputs (possibly empty), every table in ``tables`` is exactly what it was at the last
    build, and ``previous`` returns the step's last outputs. Otherwise (a forced or first build,
    changed build code, a damaged output, or a needed table that may have changed) ``changed``
    holds all the step's inputs and ``previous`` returns ``None``, so a step that always rereads
    everything is always right. A plain ``dict`` of tables also works as a step's argument (as in
    tests); such a step sees no ``changed`` attribute.
    """

    def __init__(
        self,
        tables: Mapping[str, pd.DataFrame],
        changed: Iterable[str] = (),
        previous: Callable[[str], pd.DataFrame | None] | None = None,
    ) -> None:
        self._tables = dict(tables)
        self.changed: frozenset[str] = frozenset(changed)
        self._previous = previous

    def __getitem__(self, name: str) -> pd.DataFrame:
        try:
            return self._tables[name]
        except KeyError:
            raise KeyError(
                f"table {name!r} is not among the step's declared needs ({', '.join(self._tables) or 'none'})"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def previous(self, table: str) -> pd.DataFrame | None:
        """The step's ``table`` as the last build wrote it, or ``None`` when it cannot be reused."""
        return self._previous(table) if self._previous is not None else None


@dataclass(frozen=True)
class Step:
    """A build step: the raw files it reads, the tables it writes and the earlier tables it uses.

    Parameters
    ----------
    name
        Short name, shown in progress messages and errors.
    inputs
        Manifest ids (``data/raw/sources.yaml``) of every raw file the step reads. Their
        checksums decide when the build reruns, so list every file ``run`` opens.
    outputs
        The processed tables ``run`` returns (``data/processed/<table>.parquet``).
    run
        Called with a :class:`StepInputs`; returns ``{table: frame}`` for exactly ``outputs``.
    needs
        Tables written by earlier steps that ``run`` reads from its argument.
    discover
        For a family whose files the user adds over time (a workbook a quarter): returns the
        manifest ids of its files as the manifest lists them now, added to ``inputs``
        (:meth:`source_ids`), so a file recorded with ``analysis data add`` is built at once.
    """

    name: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    run: Callable[[StepInputs], dict[str, pd.DataFrame]]
    needs: tuple[str, ...] = ()
    discover: Callable[[], tuple[str, ...]] | None = None

    def source_ids(self) -> tuple[str, ...]:
        """Every manifest id the step reads: its ``inputs`` and what ``discover`` finds now."""
        found = self.discover() if self.discover is not None else ()
        return tuple(dict.fromkeys((*self.inputs, *found)))

    def __post_init__(self) -> None:
        for field in ("inputs", "outputs", "needs"):
            value = getattr(self, field)
            if not isinstance(value, tuple) or not all(isinstance(v, str) and v for v in value):
                raise ParameterError(f"Step {self.name!r}: {field} must be a tuple of names, not {value!r}.")
        if not self.outputs:
            raise ParameterError(f"Step {self.name!r} writes no table.", "List its tables in outputs.")
        if not callable(self.run):
            raise ParameterError(f"Step {self.name!r}: run must be a function, not {self.run!r}.")


def raw_path(source_id: str) -> Path:
    """Local path of a manifest file; raises naming the file and the fix if it is absent."""
    item = sources.get_source(source_id)
    path = item.local_path
    if not path.is_file():
        fix = (
            "run 'analysis data get'"
            if item.kind == "open_data"
            else f"restore it with 'git checkout -- data/raw/{item.path}'"
        )
        raise DataFileError(f"Raw file data/raw/{item.path} is missing.", f"To obtain it, {fix}.")
    return path


def raw_label(source_id: str) -> str:
    """How errors name a manifest file: ``data/raw/<path>``."""
    return f"data/raw/{sources.get_source(source_id).path}"


def read_raw_csv(
    source_id: str, schema: type[pa.DataFrameModel] | pa.DataFrameSchema | None = None, **kwargs
) -> pd.DataFrame:
    """Read a manifest CSV (BOM-tolerant) and validate it against ``schema``.

    Parameters
    ----------
    source_id
        The file's id in ``data/raw/sources.yaml``.
    schema
        A pandera model or schema (:mod:`analysis.data.schemas`); ``None`` skips validation.
    **kwargs
        Passed to :func:`pandas.read_csv`. Only empty cells are missing values unless
        ``keep_default_na``/``na_values`` say otherwise ("n/a" is a bad value, not a blank).

    Raises
    ------
    DataFileError
        If the file is missing.
    ValidationError
        If it is not UTF-8, not a CSV table, or fails ``schema`` (naming line, column, value).
    """
    path = raw_path(source_id)
    label = raw_label(source_id)
    try:
        options = {"keep_default_na": False, "na_values": [""], **kwargs}
        df = pd.read_csv(path, encoding="utf-8-sig", **options)
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{label} is not UTF-8 text (byte {exc.start}).",
            "Save the file as UTF-8 (CSV UTF-8 in Excel) and run again.",
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ValidationError(
            f"{label} cannot be read as CSV: {exc}", "Check the file is a comma-separated table with one header line."
        ) from None
    return validate_table(df, schema, label) if schema is not None else df
