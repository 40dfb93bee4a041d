"""Run layer: batches of notebooks (selection, parameters, fingerprints), one run, the executors
and warm kernels, the batch lock.

Imports every layer below it.
"""
