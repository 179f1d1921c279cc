"""Ctrl-C and SIGTERM during a study: taken where the study waits on a worker, never inside Optuna's writes.

Python raises ``KeyboardInterrupt`` at whatever bytecode runs when the signal arrives. Inside Optuna's
``_tell_with_warning`` (a storage read or write after a trial) that breaks Optuna itself: its ``finally``
reads a local the interrupted call never set, and the run ends in ``UnboundLocalError`` instead of a
partial report (seen in CI: SIGTERM sent just after a trial completed). So while a study runs, a signal
only marks the interrupt as pending; the study takes it at its next wait on a worker (``check``, polled
every 0.1 s there) or when its measuring ends. Most of a study's wall time is such waits, so the stop
is as prompt as before. A second signal before the first was taken stops at once: the user insists.
"""
from __future__ import annotations

import signal
import threading
from types import TracebackType
from typing import Any, Dict, Optional, Type

__all__ = ["TakenAtWaits", "check", "caused_by_interrupt"]

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_pending = False


def _defer(signum: int, frame: Any) -> None:
    global _pending
    if _pending:  # a second signal before the first was taken: stop now
        _pending = False
        raise KeyboardInterrupt
    _pending = True


def check() -> None:
    """Take a pending interrupt here: the caller is at a point where stopping leaves nothing half-written."""
    global _pending
    if _pending:
        _pending = False
        raise KeyboardInterrupt


class TakenAtWaits:
    """While inside, Ctrl-C and SIGTERM wait for ``check`` or the exit (which raises a pending one).

    Handlers can only be set from the main thread; elsewhere (a study run from a training script's
    thread) this does nothing and signals keep their usual meaning there.
    """

    def __enter__(self) -> "TakenAtWaits":
        global _pending
        self._previous: Dict[int, Any] = {}
        if threading.current_thread() is threading.main_thread():
            _pending = False
            for sig in _SIGNALS:
                self._previous[sig] = signal.getsignal(sig)
                signal.signal(sig, _defer)
        return self

    def __exit__(self, kind: Optional[Type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> bool:
        global _pending
        for sig, handler in self._previous.items():
            # None: the handler was not set from Python (an embedding host's); the default is the nearest.
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)
        if self._previous and kind is None:
            check()  # a signal arrived after the last wait: the study stops here, as it would have there
        _pending = False  # already unwinding (an interrupt or an error): that one goes on
        return False


def caused_by_interrupt(exc: BaseException) -> bool:
    """Whether ``exc`` is an interrupt or was raised while handling one (Optuna's error after a second signal)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__context__
    return False
