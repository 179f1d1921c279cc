"""The rule catalogue: facts and measurements in, findings out.

Rules import probes and the stage results; never the CLI or rich.
"""
