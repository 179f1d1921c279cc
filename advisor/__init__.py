"""cpu-advisor: measure an AllenNLP experiment on this machine and advise how to train it fast on CPU."""
from .errors import AdvisorError

__all__ = ["AdvisorError", "__version__"]

__version__ = "0.1.0"
