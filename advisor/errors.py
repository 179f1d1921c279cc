"""The one exception type for problems a user can cause and fix."""
from __future__ import annotations

__all__ = ["AdvisorError"]


class AdvisorError(Exception):
    """A problem with the user's input, told in one paragraph they can act on.

    The CLI prints the message (no traceback unless ``--debug``) and exits 2.
    """
