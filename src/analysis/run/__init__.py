"""Run layer: what a batch runs (plan: selection, parameters, fingerprints), running it and its
summary (batch), one run (runner, with its papermill engine), where runs execute (executors),
stopping process trees (processes), warm kernels (kernels: the provisioner; template: the
process kernels are forked from), the batch lock, and notebook parameters.

Imports every layer below it.
"""
