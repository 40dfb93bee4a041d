"""The build's steps, one module per family of sources: the registry the engine runs.

Each module in this package (other than :mod:`~analysis.data.steps.base`) is a family of
sources: it reads its raw files, validates them against its pandera models
(:mod:`analysis.data.schemas`) and tidies them into processed tables. It defines ``STEPS``, a
tuple of :class:`~analysis.data.steps.base.Step`. :data:`FAMILIES` lists the modules in build
order; the engine (:mod:`analysis.data.build`) runs their steps in that order.

Adding a family of sources (for example MHCLG homelessness workbooks)
--------------------------------------------------------------------
1. Write ``steps/<family>.py`` with its build functions and ``STEPS`` (and, if it needs new
   pandera models, ``schemas/<family>.py``).
2. Add ``"<family>"`` to :data:`FAMILIES`, after the families whose tables it ``needs``.

The build code fingerprint covers every module of this package and of ``schemas`` without a
list to keep (:func:`analysis.data.build.build_code_files`), so editing any of them rebuilds.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from analysis.data.steps.base import Step, StepInputs
from analysis.errors import ParameterError

__all__ = ["FAMILIES", "STEPS", "TABLES", "Step", "StepInputs", "check_registry"]

#: Families of sources (modules of this package) in build order: a step may use the tables of
#: the steps before it (:attr:`Step.needs`).
FAMILIES: tuple[str, ...] = (
    "geography",
    "population",
    "survey",
    "safe_accommodation",
    "census",
    "deprivation",
    "homelessness",
)


def check_registry(steps: Iterable[Step]) -> tuple[Step, ...]:
    """Check that steps can run in the order given; return them as a tuple.

    Every step name and table is declared once, and every table a step ``needs`` is written by
    a step before it.

    Raises
    ------
    ParameterError
        Naming the step and the table at fault.
    """
    steps = tuple(steps)
    names: set[str] = set()
    written: dict[str, str] = {}
    for step in steps:
        if not isinstance(step, Step):
            raise ParameterError(f"{step!r} is not a Step.", "A family's STEPS holds Step(...) entries only.")
        if step.name in names:
            raise ParameterError(f"Two build steps are called {step.name!r}.", "Give each step its own name.")
        names.add(step.name)
        for table in step.needs:
            if table not in written:
                raise ParameterError(
                    f"Step {step.name!r} needs table {table!r}, which no earlier step writes.",
                    "Register the family that writes it earlier in analysis.data.steps.FAMILIES.",
                )
        for table in step.outputs:
            if table in written:
                raise ParameterError(
                    f"Table {table!r} is written by both step {written[table]!r} and step {step.name!r}.",
                    "Each processed table has one step that writes it.",
                )
            written[table] = step.name
    return steps


def _load(families: Iterable[str]) -> tuple[Step, ...]:
    return check_registry(step for family in families for step in importlib.import_module(f"{__name__}.{family}").STEPS)


#: Every step, in build order.
STEPS: tuple[Step, ...] = _load(FAMILIES)
#: Processed table -> the step that writes it.
TABLES: dict[str, Step] = {table: step for step in STEPS for table in step.outputs}
