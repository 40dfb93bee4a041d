"""The key a figure base (:mod:`analysis.present.layers`) is kept on disk under: the same text in every process.

A base's in-memory key holds Python objects (the :class:`~analysis.methods.indicators.Indicator`,
whose ``repr`` names functions by their addresses). :func:`disk_key` writes it as text
(:func:`stable_text`: the declaration field by field, functions by module and qualified name)
with everything else that can change the base's pixels (:func:`drawing_key`: the house
rcParams, the fonts the house fonts resolve to, the drawing libraries' and FreeType's
versions), hashed by :func:`analysis.data.disk_cache.key` with the package's fingerprint (its
code, the Python version). Equal keys must give equal pixels. A key holding a :class:`Local`
part (e.g. a table a test replaced, named by its path and time) or an object with no stable
text has no disk key: its base is kept in memory only.
"""

from __future__ import annotations

import dataclasses
import functools
import types
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from analysis.data import disk_cache
from analysis.present import plots

#: The disk cache's kind for bases (:mod:`analysis.data.disk_cache`).
KIND = "figure-bases"
#: Libraries whose versions can change a base's pixels (matplotlib bundles FreeType; see drawing_key).
LIBRARIES = ("matplotlib", "pillow", "numpy", "shapely", "geopandas", "mapclassify")


@dataclass(frozen=True)
class Local:
    """A key part only this process can name (e.g. a replaced table's path and time): kept in memory only."""

    value: Hashable


def stable_text(part: Any) -> str | None:
    """``part`` as text that is the same in every process running this code, or None if it cannot be.

    Strings, numbers, booleans and None by ``repr``; tuples, lists and dataclasses (an
    :class:`~analysis.methods.indicators.Indicator`, its denominator) part by part; a function by
    its module and qualified name (a function made in a function, with its defaults and what it
    closes over; a bound method with its object; a ``functools.partial`` with its arguments):
    its code is in the package fingerprint. Anything else
    (a :class:`Local`, an object named only by its address) gives None.
    """
    if part is None or isinstance(part, (str, int, float, bool)):
        return repr(part)
    if isinstance(part, (tuple, list)):
        items = [stable_text(item) for item in part]
        return None if None in items else "(" + ", ".join(items) + ")"
    if isinstance(part, Local):
        return None
    if dataclasses.is_dataclass(part) and not isinstance(part, type):
        return stable_text(
            (
                type(part).__module__,
                type(part).__qualname__,
                *((f.name, getattr(part, f.name)) for f in dataclasses.fields(part)),
            )
        )
    if isinstance(part, functools.partial):
        return stable_text(("partial", part.func, part.args, tuple(sorted(part.keywords.items()))))
    if isinstance(part, types.MethodType):
        return stable_text(("method", part.__func__, part.__self__))
    if isinstance(part, types.FunctionType):
        if "<locals>" not in part.__qualname__:  # a module's function (its closure, if any, a decorator's)
            return stable_text(("function", part.__module__, part.__qualname__))
        cells = tuple(cell.cell_contents for cell in part.__closure__ or ())
        return stable_text(("function", part.__module__, part.__qualname__, part.__defaults__, cells))
    return None


@functools.lru_cache(maxsize=1)
def _versions() -> str:
    from matplotlib import ft2font

    return "\n".join([*disk_cache.library_versions(LIBRARIES), f"freetype=={ft2font.__freetype_version__}"])


def drawing_key() -> str:
    """What shapes a base's pixels besides its key and the package's code, as text: the house
    rcParams (:func:`analysis.present.plots.style_key`), the font files the house fonts resolve
    to, and :data:`LIBRARIES`' and FreeType's versions."""
    from matplotlib import font_manager

    fonts = [
        font_manager.findfont(font_manager.FontProperties(family=plots.style_value("font.family"), weight=weight))
        for weight in ("normal", "bold")
    ]
    return "\n".join([_versions(), plots.style_key(), *fonts])


def disk_key(key: Hashable) -> str | None:
    """The disk cache's key of the base for ``key`` (:mod:`analysis.data.disk_cache`), or None
    when ``key`` cannot be written the same in every process (:func:`stable_text`)."""
    text = stable_text(key)
    return None if text is None else disk_cache.key(KIND, text, drawing_key())
