"""cpu-advisor: measure an AllenNLP experiment on this machine and advise how to train it fast on CPU."""
__version__ = "0.1.0"

from .errors import AdvisorError  # noqa: E402
from .preflight import PreflightError, PreflightResult, preflight  # noqa: E402  (light: no torch, no AllenNLP)

__all__ = ["AdvisorError", "PreflightError", "PreflightResult", "preflight", "__version__"]
