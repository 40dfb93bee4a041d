"""Data layer: the raw-file manifest, schemas, the raw -> processed build, table reading,
a council's own local files and the per-process memo keyed by the tables.

Imports only :mod:`analysis.config`, :mod:`analysis.errors` and :mod:`analysis.files`.
"""
