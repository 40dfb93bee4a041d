"""analysis: reproducible domestic abuse safe accommodation needs assessments.

The package is layered, each folder one step of the data's one-way flow (see ``README.md`` and
``docs/architecture.md``): ``data`` (raw -> processed, reading tables), ``methods`` (statistics and
indicators), ``present`` (figures, tables, pages, PDF) and ``run`` (batches, kernels), with
``config`` (paths, constants) below them all and ``cli`` above.

Importing the package is deliberately cheap: nothing heavy is imported here. It does one thing
more, for every process of the project that imports it first: it marks the modules of
:data:`UNUSED_OPTIONAL_IMPORTS` as missing, so that a library which would import them only for
an optional feature the project never uses does without them (see that constant).
"""

import sys

from analysis import config

__version__ = "0.1.0"

#: Optional imports of libraries the project uses, skipped because no process of the project needs
#: them and importing them is slow. ``rfc3987_syntax`` builds Lark parsers of the RFC 3987 grammar
#: when it is imported (2.0-2.3 s of CPU on a 2-core machine, measured 4 December 2026 with
#: ``python -X importtime -c "import nbformat"``); jsonschema (4.25 and later, extra
#: ``format-nongpl``, which jupyter-events asks for) imports it, if it is installed, for its
#: optional ``iri`` and ``iri-reference`` format checks only (jsonschema's docs, "Validating
#: Formats"; python-jsonschema/jsonschema issue 1428). Every batch process, worker and test imports
#: jsonschema through nbformat (papermill, nbclient, nbconvert), whose notebook schema has no such
#: format. ``sys.modules[name] = None`` makes ``import name`` raise ``ImportError`` (the Python
#: language reference, "The module cache"), which jsonschema catches: it then offers every other
#: format check as before.
UNUSED_OPTIONAL_IMPORTS = ("rfc3987_syntax",)
#: ``ANALYSIS_SKIP_UNUSED_IMPORTS=0`` (or false / no / off) imports them as usual, for comparisons.
SKIP_UNUSED_IMPORTS_ENV = "ANALYSIS_SKIP_UNUSED_IMPORTS"

if config.switched_on(SKIP_UNUSED_IMPORTS_ENV):
    for _name in UNUSED_OPTIONAL_IMPORTS:
        sys.modules.setdefault(_name, None)  # a module imported already is left as it is
