"""The trial runner measures the loader the applied config would run."""
from dataclasses import replace

import pytest

from advisor.config import load_experiment
from advisor.inspect.build import SampleCaps, build_experiment
from advisor.trials import BASELINE
from advisor.trials.runner import TrialRunner, _join_workers_at_once

from ..conftest import EXAMPLES

TINY = EXAMPLES / "bilstm_classifier" / "tiny.jsonnet"


def runner(overrides=None):
    experiment = load_experiment(TINY, overrides=overrides)
    return TrialRunner(build_experiment(experiment, SampleCaps(64, 10.0)))


@pytest.mark.parametrize("workers", [1, 2])
def test_workers_without_streaming_replay_from_memory(workers):
    # AllenNLP then batches from memory in the main process: no live loader, no reading per step.
    trial = runner()
    trial.begin(replace(BASELINE, num_workers=workers), 1)
    assert trial.loader is None and trial.read_per_instance == 0.0
    assert len(trial.steps(2)["seconds"]) == 2
    trial.end()


def test_a_streaming_loader_runs_live_workers_and_charges_reading_without_them():
    trial = runner('{"data_loader.max_instances_in_memory": 16}')
    assert trial.read_per_instance > 0  # the main process reads every epoch without workers
    trial.begin(replace(BASELINE, num_workers=1), 1)
    assert trial.loader is not None
    assert len(trial.steps(2)["seconds"]) == 2
    trial.end()
    trial.begin(replace(BASELINE, num_workers=0), 1)
    assert trial.loader is None
    trial.end()


@pytest.fixture
def slow_reader(monkeypatch):
    """Call with seconds per instance: the reader then sleeps that long for each (the fork inherits it)."""
    import time

    import allennlp.data.dataset_readers as readers

    read = readers.TextClassificationJsonReader.text_to_instance

    def slow_by(seconds):
        def slow(self, *args, **kwargs):
            time.sleep(seconds)
            return read(self, *args, **kwargs)

        monkeypatch.setattr(readers.TextClassificationJsonReader, "text_to_instance", slow)

    return slow_by


def test_a_live_loaders_fill_is_spread_over_the_instances_it_made_ready(slow_reader):
    # A reader that takes 20 ms per instance: the first batch waits for the worker's whole chunk,
    # here the whole 64-instance sample (8 batches), and no later step of the pass waits.
    trial = runner('{"data_loader.max_instances_in_memory": 64}')
    slow_reader(0.02)
    trial.begin(replace(BASELINE, num_workers=1), 1)  # the warm-up step takes the wait
    assert 0.02 <= trial.fill_per_instance < 0.2
    share = 8 * trial.fill_per_instance
    steps = trial.steps(3)["seconds"]
    # Each step carries its 8 instances' share of the fill: not none, and not the whole wait at once.
    assert all(share <= s < 2 * share for s in steps)
    trial.end()
    assert trial.fill_per_instance == 0.0


def test_ending_a_live_loader_mid_epoch_stops_its_busy_workers_without_a_join_timeout_each(slow_reader, caplog):
    # AllenNLP joins each worker for up to 1 s and then logs "terminating worker N": with workers
    # busy reading (here 0.1 s per instance), that was a second per worker at every window's end.
    import logging
    import multiprocessing

    trial = runner('{"data_loader.max_instances_in_memory": 8}')
    slow_reader(0.1)
    before = set(multiprocessing.active_children())
    trial.begin(replace(BASELINE, num_workers=2), 1)
    assert len(set(multiprocessing.active_children()) - before) == 2  # both still reading the sample
    with caplog.at_level(logging.WARNING, logger="allennlp.data.data_loaders.multiprocess_data_loader"):
        trial.end()
    assert not [r for r in caplog.records if "terminating worker" in r.getMessage()]
    assert not set(multiprocessing.active_children()) - before


def test_warm_up_stops_after_two_steps_where_the_second_is_longer_than_slow_s():
    trial = runner()
    assert len(trial.begin(BASELINE, 3)["warmup"]["seconds"]) == 3
    trial.end()
    assert len(trial.begin(BASELINE, 3, slow_s=60.0)["warmup"]["seconds"]) == 3  # fast steps: all three
    trial.end()
    assert len(trial.begin(BASELINE, 3, slow_s=0.0)["warmup"]["seconds"]) == 2  # a third would buy nothing
    trial.end()
    assert len(trial.begin(BASELINE, 1, slow_s=0.0)["warmup"]["seconds"]) == 1
    trial.end()


def test_a_live_loaders_windows_are_scaled_to_the_epoch_its_workers_make_of_the_sample():
    # Each worker buckets its own share of the sample: that epoch, not the replayed one, is what the
    # live steps are drawn from (on GPU habits 27.2 padded positions per instance against 21.4).
    from advisor.inspect.tensors import batch_counts
    from advisor.trials.setting import layout_overrides

    trial = runner('{"data_loader.max_instances_in_memory": 64}')
    setting = replace(BASELINE, num_workers=4, batch_layout="bucket")
    live = trial.begin(setting, 1)["epoch"]
    trial.end()
    replayed = trial.begin(replace(setting, num_workers=0), 1)["epoch"]
    trial.end()
    layout = layout_overrides("bucket", trial.batch_size, trial.text_field, trial.mean_tokens)
    counted = {"batches": 0, "instances": 0, "positions": 0}
    loader = trial.built.data_loader({**layout, "num_workers": 4}, live=True)  # the workers' own epoch
    # AllenNLP's own join sends each worker "stop" after releasing them, and a worker that has exited
    # by then is a BrokenPipeError (a fresh CI clone hit it once); the runner's join allows for that.
    loader._join_workers = _join_workers_at_once
    for batch in loader:
        instances, fields = batch_counts(batch, trial.text_field)
        counted["batches"] += 1
        counted["instances"] += instances
        counted["positions"] += fields[trial.text_field][1]
    assert live["instances"] == counted["instances"] == replayed["instances"]
    assert live["batches"] == counted["batches"]
    assert abs(live["positions"] - counted["positions"]) <= 0.05 * counted["positions"]  # bucket's padding noise
    assert live["positions"] > 1.05 * replayed["positions"]  # shares bucketed apart are padded more
