"""Errors the workspace raises for bad input: each says what is wrong, where, and how to fix it."""

from __future__ import annotations


class AnalysisError(Exception):
    """Base class for user-facing errors.

    Parameters
    ----------
    message
        What is wrong and where (file, row, column or value).
    hint
        How to fix it. Shown on its own line by the command line.
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\nHint: {self.hint}"


class AreaError(AnalysisError, LookupError):
    """An area code or name that is unknown, ambiguous, lower-tier or from another vintage."""


class DataFileError(AnalysisError):
    """A raw, local or processed data file that is missing, altered or malformed."""


class ValidationError(DataFileError, ValueError):
    """A table that fails its schema; the message names file, row, column and value."""


class ParameterError(AnalysisError, ValueError):
    """A notebook or function parameter with an unknown name, wrong type or out-of-range value."""


class BatchError(AnalysisError):
    """A batch that cannot start: the reports folder is locked by another batch, or unusable."""


class PublicationError(AnalysisError):
    """An executed notebook that must not be published as it stands (e.g. a small count in a table)."""
