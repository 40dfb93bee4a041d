"""analysis: reproducible domestic abuse safe accommodation needs assessments.

The package is a flat set of small modules, each with one job (see ``README.md``):
``config`` (paths, constants), ``sources`` (raw-file manifest), ``schemas`` (pandera
models), ``build`` (raw -> processed), ``tables`` (read processed tables), ``areas``
(authorities and regions), ``population``, ``stats``, ``prevalence``, ``supply``,
``young_people``, ``indicators``, ``plots``, ``maps``, ``batch``, ``publish`` and ``cli``.

Importing the package is deliberately cheap: nothing heavy is imported here.
"""

__version__ = "0.1.0"
