"""The one exception type for problems a user can cause and fix."""
from __future__ import annotations

__all__ = ["AdvisorError", "Interrupted"]


class AdvisorError(Exception):
    """A problem with the user's input, told in one paragraph they can act on.

    The CLI prints the message (no traceback unless ``--debug``) and exits 2.
    """


class Interrupted(Exception):
    """Ctrl-C or SIGTERM stopped a run; what was measured is kept and the message says where.

    The CLI prints the message and exits 130, as shells do for an interrupted command.
    ``report`` is the partial report that was written, where there is one.
    """

    def __init__(self, message: str, report: object = None) -> None:
        super().__init__(message)
        self.report = report
