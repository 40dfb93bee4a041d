"""The papermill engine of batch runs: papermill's nbclient engine, saving the executed notebook
less often.

papermill's ``NotebookExecutionManager`` rewrites the whole executed notebook (validated JSON,
figures included: 2 MB for the maps report) before and after every cell, about 0.4 s per
map report, for a file nobody reads until the run ends. :class:`FewerSaves` writes it when
the run starts and ends, as papermill does, and in between only every ``autosave_cell_every``
seconds (papermill's own setting, 30 s) of a long run. The final write is unchanged (papermill
makes it even when a cell fails, times out or the kernel dies), so the executed notebook is
the same.

The engine is registered the documented way ("Extending papermill through entry points":
a ``papermill.engine`` entry point in ``pyproject.toml``, name :data:`ENGINE_NAME`). It
subclasses papermill's public ``NBClientEngine`` and overrides ``Engine.execute_notebook``,
the classmethod whose documented job is to set up the ``NotebookExecutionManager`` engines
work against, so that the manager is a :class:`FewerSaves` from the start. The body of that
override follows papermill 2.7's own ``Engine.execute_notebook``.

This module imports only ``papermill.engines``: papermill loads it while importing itself.
"""

from __future__ import annotations

from typing import Any

from papermill.engines import NBClientEngine, NotebookExecutionManager

#: The engine's name in the ``papermill.engine`` entry points (``engine_name=`` of papermill).
ENGINE_NAME = "analysis-batch"


class FewerSaves(NotebookExecutionManager):
    """A ``NotebookExecutionManager`` that writes the notebook at the start and the end of a run,
    and in between at most every ``autosave_cell_every`` seconds."""

    save_now = False

    def save(self, **kwargs: Any) -> None:
        """Save when starting or finishing, or when the last save is ``autosave_cell_every`` s old."""
        if kwargs.get("nb") is not None:  # what papermill's save does with a replaced notebook
            self.nb = kwargs["nb"]
        elapsed = (self.now() - self.last_save_time).total_seconds()
        if self.save_now or (self.autosave_cell_every and elapsed >= self.autosave_cell_every):
            super().save(**kwargs)

    def notebook_start(self, **kwargs: Any) -> None:
        """As papermill's, including its save of the notebook with its outputs cleared."""
        self.save_now = True
        try:
            super().notebook_start(**kwargs)
        finally:
            self.save_now = False

    def notebook_complete(self, **kwargs: Any) -> None:
        """As papermill's, including its final save."""
        self.save_now = True
        super().notebook_complete(**kwargs)


class BatchEngine(NBClientEngine):
    """papermill's nbclient engine with a :class:`FewerSaves` execution manager."""

    @classmethod
    def execute_notebook(
        cls,
        nb: Any,
        kernel_name: str,
        output_path: str | None = None,
        progress_bar: bool = True,
        log_output: bool = False,
        autosave_cell_every: int = 30,
        **kwargs: Any,
    ) -> Any:
        """Execute ``nb`` as papermill's ``Engine.execute_notebook`` does, with :class:`FewerSaves`."""
        nb_man = FewerSaves(
            nb,
            output_path=output_path,
            progress_bar=progress_bar,
            log_output=log_output,
            autosave_cell_every=autosave_cell_every,
        )
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        finally:
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
        return nb_man.nb


def engine_name() -> str | None:
    """:data:`ENGINE_NAME` when papermill found it among its entry points, else None (its default)."""
    from papermill.engines import papermill_engines
    from papermill.exceptions import PapermillException

    try:
        papermill_engines.get_engine(ENGINE_NAME)
    except PapermillException:  # an install without this package's entry points
        return None
    return ENGINE_NAME
