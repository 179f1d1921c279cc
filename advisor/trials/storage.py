"""Open the Optuna storage the trials live in, or say clearly why it cannot be used.

A storage file that is corrupt, belongs to another program or was written by an
incompatible Optuna is refused *untouched*: Optuna's own RDB storage creates tables
and stamps versions as it opens, so a SQLite file is first checked read-only and then
opened on a scratch copy; only a file that passes is opened for real.
"""
from __future__ import annotations

import fcntl
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any, Dict, Optional

import optuna
from optuna.trial import TrialState

from ..errors import AdvisorError

__all__ = ["open_storage", "queue_first", "sqlite_url", "SQLITE_TIMEOUT_S"]

# Two advisor processes on one SQLite file wait for each other's writes instead of failing.
SQLITE_TIMEOUT_S = 60.0
_HELP = ("Pass another --storage (or none: the default is a new trials.db in the output directory), "
         "or move that file away to start fresh.")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


def _sqlite_path(url: str) -> Optional[Path]:
    if not url.startswith("sqlite:///"):
        return None
    rest = url[len("sqlite:///"):].split("?", 1)[0]
    return Path(rest) if rest and rest != ":memory:" else None


def _open(url: str) -> optuna.storages.RDBStorage:
    kwargs = {"connect_args": {"timeout": SQLITE_TIMEOUT_S}} if url.startswith("sqlite") else {}
    return optuna.storages.RDBStorage(url, engine_kwargs=kwargs)


def _check_sqlite_file(url: str, path: Path) -> None:
    """Refuse a file that is not an Optuna SQLite storage this Optuna can use; never write to it."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.Error as exc:
        raise AdvisorError(f"--storage {url}: {path} is not a readable SQLite database ({exc}); it may be "
                           f"corrupt or another kind of file. It was left untouched. {_HELP}") from None
    if tables and not {"studies", "trials", "version_info"} <= tables:
        raise AdvisorError(f"--storage {url}: {path} is a SQLite database of another program (tables: "
                           f"{', '.join(sorted(tables)[:6])}), not an Optuna storage. It was left untouched. {_HELP}")
    with tempfile.TemporaryDirectory(prefix="advisor-storage-") as scratch:
        copy = Path(scratch) / path.name
        shutil.copyfile(path, copy)
        try:
            storage = _open(f"sqlite:///{copy}")
            storage.engine.dispose()
        except Exception as exc:  # noqa: BLE001 - any failure means this Optuna cannot use the file
            detail = " ".join(str(exc).split())[:300]
            raise AdvisorError(f"--storage {url}: this Optuna ({optuna.__version__}) cannot use {path}: "
                               f"{detail}. It was left untouched. {_HELP}") from None


def open_storage(url: str) -> optuna.storages.RDBStorage:
    """An RDB storage for ``url`` (SQLite files waited on, not failed, under concurrent writes).

    Raises:
        AdvisorError: the URL is malformed, its server or driver is missing, or the file is not a
            usable Optuna storage (the file is then left as it was).
    """
    path = _sqlite_path(url)
    if path is not None:
        if path.is_dir():
            raise AdvisorError(f"--storage {url}: {path} is a directory; name a file, e.g. sqlite:///trials.db.")
        if not path.parent.is_dir():
            raise AdvisorError(f"--storage {url}: the folder {path.parent} does not exist. Create it first. {_HELP}")
        if path.is_file() and path.stat().st_size > 0:
            _check_sqlite_file(url, path)
    try:
        if path is None:
            return _open(url)
        # Two processes creating a new storage at once race on its tables and version stamp: one at a time.
        # (flock is separate from SQLite's own fcntl byte-range locks.)
        with open(path, "ab") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                return _open(url)
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    except Exception as exc:  # noqa: BLE001 - drivers and servers fail in many ways; all mean "cannot use"
        cause = exc.__cause__ or exc
        detail = " ".join(f"{type(cause).__name__}: {cause}".split())[:300]
        raise AdvisorError(f"--storage {url} cannot be opened: {detail}. Check the URL, that its database "
                           f"server is reachable and that its driver is installed. {_HELP}") from None


def queue_first(study: optuna.Study, storage: optuna.storages.BaseStorage, params: Dict[str, Any]) -> None:
    """Put a trial of ``params`` at the head of the study's queue of waiting trials.

    Optuna runs waiting trials in the order they were queued, and ``enqueue_trial`` only appends (and,
    with ``skip_if_exists``, skips params stored in any state). A resumed study whose stored baseline is
    no yardstick (measured under other load, or interrupted) finds the earlier run's screening trials
    still waiting; the baseline, which they are measured beside, must run before them. So the waiting
    trials' params move back one place each. (Another process on the same storage may take a waiting
    trial meanwhile: at worst one setting is measured twice.)
    """
    waiting = study.get_trials(deepcopy=False, states=(TrialState.WAITING,))
    wanted = [params, *(p for p in (t.system_attrs.get("fixed_params") for t in waiting) if p != params)]
    study_id = storage.get_study_id_from_name(study.study_name)
    for trial, moved in zip(waiting, wanted):
        if moved != trial.system_attrs.get("fixed_params"):
            trial_id = storage.get_trial_id_from_study_id_trial_number(study_id, trial.number)
            storage.set_trial_system_attr(trial_id, "fixed_params", moved)
    if len(wanted) > len(waiting):
        study.enqueue_trial(wanted[-1])
