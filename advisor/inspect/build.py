"""Build the user's experiment with AllenNLP itself, on a bounded sample of the training data.

Reader, vocabulary, model, data loader and optimizer all come from the
config through AllenNLP's ``from_params``; nothing is re-implemented. The
trials reuse :class:`BuiltExperiment` so they run the same objects.
"""
from __future__ import annotations

import copy
import itertools
import logging
import os
import re
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, TypeVar

from ..config import Experiment
from ..errors import AdvisorError
from .vocab_growth import VocabEstimate, pad_to_full_vocabulary

__all__ = ["BuiltExperiment", "build_experiment", "import_allennlp", "SampleCaps"]

T = TypeVar("T")
# AllenNLP words an unknown "type" in two ways, depending on where it is resolved.
_REGISTRY = (re.compile(r"'(?P<name>[^']+)' is not a registered name for '(?P<registry>[^']+)'"),
             re.compile(r"^(?P<name>\S+) not in acceptable choices for (?P<key>[\w.]+)"))


@dataclass(frozen=True)
class SampleCaps:
    """How much of the training data the advisor reads: whichever cap is hit first."""

    instances: int = 2000
    seconds: float = 20.0


@dataclass
class BuiltExperiment:
    experiment: Experiment
    reader: Any
    instances: List[Any]
    vocab: Any
    model: Any
    sample_seconds: float
    sample_exhausted: bool
    sample_stopped_by: Optional[str]
    estimated_total: Optional[int]
    estimate_method: str
    timings: Dict[str, float]
    vocab_estimates: List[VocabEstimate] = field(default_factory=list)  # namespaces padded to full size

    def data_loader(self, overrides: Optional[Dict[str, Any]] = None, live: bool = False,
                    instances: Optional[List[Any]] = None) -> Any:
        """The config's own data loader over the sample (or over ``instances``, a part of it).

        ``overrides`` are merged into its params; a value of None removes that key. ``live``: the
        reader reads the sample's instances from the file again (as a streaming loader's workers do
        every epoch) instead of replaying them from memory.
        """
        from allennlp.common import Params
        from allennlp.data import DataLoader

        spec = copy.deepcopy(self.experiment.params.get("data_loader") or {})
        for key, value in (overrides or {}).items():
            if value is None:
                spec.pop(key, None)
            else:
                spec[key] = copy.deepcopy(value)  # Params pops from nested dicts: keep the caller's intact
        loader = _step("the data loader (data_loader)", lambda: DataLoader.from_params(
            params=Params(spec), reader=_sample_reader(self.reader, self.instances if instances is None else instances, live),
            data_path=self.experiment.train_data_path), "DataLoader")
        loader.index_with(self.vocab)
        return loader

    def optimizer(self) -> Any:
        from allennlp.common import Params
        from allennlp.training.optimizers import Optimizer

        spec = copy.deepcopy((self.experiment.params.get("trainer") or {}).get("optimizer") or {"type": "adam"})
        parameters = [[n, p] for n, p in self.model.named_parameters() if p.requires_grad]
        return _step("the optimizer (trainer.optimizer)",
                     lambda: Optimizer.from_params(model_parameters=parameters, params=Params(spec)), "Optimizer")


def _quiet_allennlp() -> None:
    os.environ.setdefault("TQDM_DISABLE", "1")  # read by tqdm when it is imported
    for name in ("allennlp", "transformers", "filelock", "urllib3"):
        logging.getLogger(name).setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", message=".*non-supported Python version.*")


def import_allennlp(include_packages=()) -> float:
    """Import AllenNLP with its plugins as ``allennlp train`` does; return seconds spent."""
    start = time.perf_counter()
    _quiet_allennlp()
    from allennlp.common.plugins import import_plugins
    from allennlp.common.util import import_module_and_submodules

    import_plugins()  # all of allennlp, default plugins, and the .allennlp_plugins file in the cwd
    for package in include_packages:
        try:
            import_module_and_submodules(package)
        except ModuleNotFoundError as exc:
            raise AdvisorError(
                f"--include-package {package}: cannot import it ({exc}). Make sure the package is "
                "installed or on PYTHONPATH (the current directory counts), as for `allennlp train`.") from None
    return time.perf_counter() - start


def _step(what: str, build: Callable[[], T], registry: str = "") -> T:
    """Run one from_params step; turn AllenNLP's configuration errors into one clear paragraph."""
    from allennlp.common.checks import ConfigurationError

    try:
        return build()
    except ConfigurationError as exc:
        message = str(exc).strip().strip('"')
        m = _REGISTRY[0].search(message) or _REGISTRY[1].search(message)
        if m:
            found = m.groupdict().get("registry") or registry or "matching"
            raise AdvisorError(
                f"while building {what}: type \"{m.group('name')}\" is not registered in AllenNLP's "
                f"{found} registry. If it is your own class, make it importable with "
                "`--include-package YOUR_PACKAGE` (or list the package in a .allennlp_plugins file); "
                "otherwise check the spelling of \"type\".") from None
        raise AdvisorError(f"while building {what}: {message}") from None
    except (TypeError, ValueError, KeyError) as exc:
        raise AdvisorError(f"while building {what}: {type(exc).__name__}: {exc}. "
                           "Check that key of the config against the class it builds.") from None


def _sample_reader(inner: Any, instances: List[Any], live: bool = False) -> Any:
    from allennlp.data import DatasetReader

    class SampleReader(DatasetReader):
        """Replays the sampled instances through the config's own loader (``live``: reads them again)."""

        def __init__(self) -> None:
            super().__init__()

        def _read(self, file_path: str) -> Iterator[Any]:
            if live:  # the same first instances, read and tokenized again by the config's reader
                yield from itertools.islice(inner._read(file_path), len(instances))
            else:
                yield from instances

        def text_to_instance(self, *inputs: Any) -> Any:  # type: ignore[override]
            return inner.text_to_instance(*inputs)

        def apply_token_indexers(self, instance: Any) -> None:
            inner.apply_token_indexers(instance)

    return SampleReader()


def _file_position(path: str) -> Optional[int]:
    """How far into ``path`` this process has read, from /proc/self/fdinfo (Linux)."""
    target = os.path.realpath(path)
    try:
        fds = os.listdir("/proc/self/fd")
    except OSError:
        return None
    for fd in fds:
        try:
            if os.readlink(f"/proc/self/fd/{fd}") == target:
                with open(f"/proc/self/fdinfo/{fd}") as info:
                    for line in info:
                        if line.startswith("pos:"):
                            return int(line.split()[1])
        except OSError:
            continue
    return None


def _read_sample(reader: Any, path: str, caps: SampleCaps, counted: Optional[List[int]] = None):
    start = time.perf_counter()
    instances: List[Any] = []
    stopped_by = None
    iterator = iter(reader.read(path))
    exhausted = False
    position = None
    try:
        while True:
            if len(instances) >= caps.instances:
                stopped_by = "instances"
                break
            if time.perf_counter() - start > caps.seconds:
                stopped_by = "seconds"
                break
            try:
                instances.append(next(iterator))
                if counted is not None:
                    counted[0] = len(instances)
            except StopIteration:
                exhausted = True
                break
        if not exhausted:
            position = _file_position(path)
    finally:
        close = getattr(iterator, "close", None)
        if close:
            close()
    return instances, time.perf_counter() - start, exhausted, stopped_by, position


_REMOTE = re.compile(r"^(?P<scheme>https?|s3|gs)://(?P<host>[^/:]+)(?::(?P<port>\d+))?", re.I)


def _check_remote(path: str, timeout: float = 5.0) -> None:
    """A URL data path on a machine that cannot reach its host: fail now, not after retries."""
    m = _REMOTE.match(path)
    if not m:
        return
    import socket

    scheme = m.group("scheme").lower()
    host = m.group("host") if scheme in ("http", "https") else {"s3": "s3.amazonaws.com",
                                                                 "gs": "storage.googleapis.com"}[scheme]
    port = int(m.group("port") or (80 if scheme == "http" else 443))
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        raise AdvisorError(
            f"train_data_path {path!r} is a URL, and {host}:{port} cannot be reached from this machine "
            f"({exc.strerror or exc}). Download the file where there is network and give its local path "
            "(e.g. --overrides '{\"train_data_path\": \"data/train.jsonl\"}').") from None


def _locate_bad_record(path: Optional[str], good: int, exc: BaseException) -> str:
    """Point at the record a reader failed on: the first bad JSON line, else the next record."""
    if not path or not os.path.isfile(path):
        return ""
    import json

    try:
        with open(path, "rb") as handle:
            lines = [(number, raw) for number, raw in enumerate(handle, 1) if raw.strip()]
    except OSError:
        return ""
    if isinstance(exc, json.JSONDecodeError):
        for number, raw in lines:
            try:
                json.loads(raw)
            except ValueError:
                return f" Line {number} is not valid JSON: {_shorten(raw)}."
    if good < len(lines):  # line-oriented readers: one record per non-empty line
        number, raw = lines[good]
        return f" The record after the last good one is line {number}: {_shorten(raw)}."
    return ""


def _shorten(raw: bytes, width: int = 100) -> str:
    text = raw.decode("utf-8", "replace").rstrip("\n")
    return repr(text if len(text) <= width else text[:width] + "...")


def _estimate_total(n: int, exhausted: bool, position: Optional[int], size: Optional[int],
                    path: Optional[str]):
    """Instances in the whole training file, from the sample and how far the reader got."""
    if exhausted:
        return n, "exact (whole file read)"
    if position and size and position < size:  # a streaming reader: scale by bytes consumed
        return round(n * size / position), "file position"
    if path and os.path.isfile(path):  # the reader slurped the file: count its records
        with open(path, "rb") as handle:
            lines = sum(1 for line in handle if line.strip())
        if lines >= n:
            return lines, "one instance per non-empty line (assumed)"
    return None, "unknown (the reader does not stream the file)"


def build_experiment(experiment: Experiment, caps: SampleCaps = SampleCaps()) -> BuiltExperiment:
    """Build reader, sample, vocabulary and model from the config with AllenNLP.

    Raises:
        AdvisorError: a type is not registered, a key does not fit its class, the training data
            is missing, or the reader yields no instances.
    """
    import_s = import_allennlp(experiment.include_packages)
    from allennlp.common import Params
    from allennlp.data import DatasetReader, Vocabulary
    from allennlp.models import Model

    params = experiment.params
    reader = _step("the dataset reader (dataset_reader)",
                   lambda: DatasetReader.from_params(Params(copy.deepcopy(params["dataset_reader"]))), "DatasetReader")
    train = experiment.train_data_path
    data = next(p for p in experiment.facts.data_paths if p.key == "train_data_path")
    if data.exists is False:
        raise AdvisorError(
            f"train_data_path {train!r} does not exist (looked for {data.resolved}). AllenNLP resolves "
            f"relative paths from the current directory ({os.getcwd()}): run from the folder the config "
            "expects, or fix the path (for the bundled examples: `python examples/generate.py` writes the data).")
    if data.resolved and data.exists and not os.access(data.resolved, os.R_OK):
        raise AdvisorError(f"train_data_path {train!r} exists but this user cannot read it ({data.resolved}): "
                           "fix its permissions (chmod u+r) or point the config at a readable copy.")
    _check_remote(train)
    counted: List[int] = [0]
    try:
        instances, read_s, exhausted, stopped_by, position = _read_sample(reader, train, caps, counted)
    except AdvisorError:
        raise
    except Exception as exc:  # a reader failing on the user's data: say where
        where = _locate_bad_record(data.resolved, counted[0], exc)
        raise AdvisorError(f"the dataset reader ({params['dataset_reader'].get('type')}) failed on "
                           f"{train} after {counted[0]} instances: {type(exc).__name__}: {exc}.{where} "
                           "Fix or remove that record, or use a reader for this file's format.") from None
    if not instances:
        raise AdvisorError(
            f"the dataset reader ({params['dataset_reader'].get('type')}) yielded no instances from {train}. "
            "Check that the file is in the format that reader expects (and not empty).")
    estimate, method = _estimate_total(len(instances), exhausted, position, data.size_bytes, data.resolved)

    t0 = time.perf_counter()
    vocab_params = Params(copy.deepcopy(params.get("vocabulary") or {}))
    vocab = _step("the vocabulary (vocabulary)",
                  lambda: Vocabulary.from_params(params=vocab_params, instances=instances), "Vocabulary")
    # Embedding sizes as the whole file would give them: the trials then measure the real matrix sizes.
    vocab_estimates = pad_to_full_vocabulary(vocab, instances, None if exhausted else estimate,
                                             params.get("vocabulary") or {})
    vocab_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    model = _step("the model (model)",
                  lambda: Model.from_params(vocab=vocab, params=Params(copy.deepcopy(params["model"]))), "Model")
    model_s = time.perf_counter() - t0
    return BuiltExperiment(
        experiment=experiment, reader=reader, instances=instances, vocab=vocab, model=model,
        sample_seconds=read_s, sample_exhausted=exhausted, sample_stopped_by=stopped_by,
        estimated_total=estimate, estimate_method=method,
        timings={"import_s": import_s, "read_s": read_s, "vocab_s": vocab_s, "model_s": model_s},
        vocab_estimates=vocab_estimates,
    )
