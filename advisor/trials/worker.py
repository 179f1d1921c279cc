"""Worker process: build the experiment once, then run trials on request.

Started by :mod:`advisor.trials.pool` as ``python -m advisor.trials.worker``
with the process-level settings already in its environment. Protocol: one
JSON object per line; the job on stdin first, then requests
(``begin``/``steps``/``end``/``quit``), each answered by one line. Anything
libraries print goes to stderr, so stdout carries only the protocol.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import time
import traceback
from typing import Any, Dict


def _send(channel, message: Dict[str, Any]) -> None:
    channel.write(json.dumps(message) + "\n")
    channel.flush()


def where_raised(exc: BaseException) -> str:
    """Where ``exc`` was raised, as ``path:line in function`` (the innermost frame), so that a failed
    trial's reason names the library code that refused (a bf16 failure inside AllenNLP's loss, say)."""
    tb = exc.__traceback__
    if tb is None:
        return ""
    frame = traceback.extract_tb(tb)[-1]
    path = frame.filename
    for library in ("/site-packages/", "/dist-packages/"):  # pip's and Debian's folders of packages
        if library in path:
            path = path.rsplit(library, 1)[1]
            break
    else:
        path = os.path.relpath(path)
        if path.startswith(".."):  # outside the working directory: the file's name says enough
            path = os.path.basename(path)
    return f"{path}:{frame.lineno} in {frame.name}"


def failure_message(exc: BaseException) -> str:
    """``Type: message (at path:line in function)``: what a failed build or trial reports to the parent."""
    where = where_raised(exc)
    return f"{type(exc).__name__}: {exc}" + (f" (at {where})" if where else "")


def main() -> None:
    # Ctrl-C reaches the whole process group; the parent decides what an interrupted trial means and
    # stops its workers itself, so a worker must not die first and look like a crashed trial.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    channel = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # stray prints from libraries must not corrupt the protocol
    job = json.loads(sys.stdin.readline())
    started = time.perf_counter()
    try:
        import torch

        if job.get("inter_op_threads") not in (None, "default"):
            torch.set_num_interop_threads(int(job["inter_op_threads"]))  # only before any parallel work
        from probes.serialize import to_jsonable

        from ..config import load_experiment
        from ..errors import AdvisorError
        from ..inspect.build import SampleCaps, build_experiment
        from .runner import TrialRunner
        from .setting import Setting

        experiment = load_experiment(job["config"], ext_vars=job.get("ext_vars") or {},
                                     overrides=job.get("overrides"), include_packages=job.get("include_packages") or ())
        built = build_experiment(experiment, SampleCaps(job["sample_instances"], job["sample_seconds"]))
        facts = None
        if job.get("want_facts"):
            from ..inspect.collect import model_facts

            facts = to_jsonable(model_facts(built))
        runner = TrialRunner(built)
    except AdvisorError as exc:
        _send(channel, {"op": "error", "user_error": True, "message": str(exc)})
        return
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which decides
        _send(channel, {"op": "error", "user_error": False, "message": failure_message(exc),
                        "traceback": traceback.format_exc()})
        return
    _send(channel, {"op": "ready", "build_s": time.perf_counter() - started, "timings": built.timings,
                    "facts": facts, "pid": os.getpid(), "threads": torch.get_num_threads(),
                    "interop_threads": torch.get_num_interop_threads()})
    for line in sys.stdin:
        request = json.loads(line)
        op = request.get("op")
        try:
            if op == "begin":
                reply = runner.begin(Setting.from_params(request["setting"]), int(request.get("warmup", 2)),
                                     int(request.get("offset", 0)), request.get("slow_s"))
            elif op == "steps":
                reply = runner.steps(int(request["n"]))
            elif op == "parity":
                reply = runner.parity(Setting.from_params(request["setting"]), int(request.get("steps", 8)))
            elif op == "end":
                reply = runner.end()
            elif op == "quit":
                return
            else:
                raise ValueError(f"unknown request {op!r}")
            _send(channel, {"op": op, "ok": True, **reply})
        except Exception as exc:  # noqa: BLE001 - a failing trial must not end the worker
            try:
                runner.end()
            except Exception:  # noqa: BLE001
                pass
            _send(channel, {"op": op, "ok": False, "message": failure_message(exc),
                            "traceback": traceback.format_exc(limit=6)})


if __name__ == "__main__":
    main()
