"""A sample's length-grouped epoch is more padded than the whole file's: the runner sends the file's too."""
import random
from dataclasses import replace

import pytest

from advisor.config import load_experiment
from advisor.inspect.build import SampleCaps, build_experiment
from advisor.trials import BASELINE
from advisor.trials.estimate import EpochProfile
from advisor.trials.file_epoch import file_profile
from advisor.trials.measure import Window, metrics_of
from advisor.trials.runner import TrialRunner

from ..conftest import EXAMPLES

TINY = EXAMPLES / "bilstm_classifier" / "tiny.jsonnet"  # 64 instances
BUCKET = replace(BASELINE, batch_layout="bucket")


def _epoch(sample: int, setting=BUCKET, overrides=None):
    runner = TrialRunner(build_experiment(load_experiment(TINY, overrides=overrides), SampleCaps(sample, 10.0)))
    epoch = runner.begin(setting, 0)["epoch"]
    runner.end()
    return epoch


def _per_instance(epoch) -> float:
    return epoch["positions"] / epoch["instances"]


def test_a_small_samples_bucketed_epoch_is_scaled_to_the_whole_files_padding(tiny_data):
    whole = _epoch(10 ** 6)
    assert "file" not in whole  # the sample is the whole file
    sample = _epoch(16)
    file = sample["file"]
    assert _per_instance(sample) > 1.3 * _per_instance(whole)  # 16 lengths sorted into 32-batches: wide batches
    assert abs(_per_instance(file) - _per_instance(whole)) < 0.25 * abs(_per_instance(sample) - _per_instance(whole))
    assert file["instances"] == sample["instances"] and file["tokens"] == sample["tokens"]


@pytest.mark.parametrize("setting,overrides", [
    (BASELINE, None),  # random batches pad to their longest instance whatever the file's size
    (BUCKET, '{"data_loader.max_instances_in_memory": 8}'),  # a streaming loader sorts within its chunks
])
def test_no_file_epoch_where_the_file_pads_as_the_sample_does(tiny_data, setting, overrides):
    assert "file" not in _epoch(16, setting, overrides)


def test_drawing_the_file_leaves_the_global_random_state_alone(tiny_data):
    from allennlp.data.samplers import BucketBatchSampler

    built = build_experiment(load_experiment(TINY), SampleCaps(16, 10.0))
    profile = {"batches": 1, "instances": 16, "tokens": 100, "positions": 400}
    random.seed(7)
    before = random.getstate()
    whole = file_profile(BucketBatchSampler(batch_size=8, sorting_keys=["tokens"]), built.instances, "tokens",
                         1000, profile)
    assert random.getstate() == before
    assert whole["positions"] < profile["positions"] and whole["batches"] >= 1
    assert file_profile(None, built.instances, "tokens", 1000, profile) is None
    assert file_profile(BucketBatchSampler(batch_size=8), built.instances, "tokens", 16, profile) is None


def test_a_window_reads_the_file_epochs_rate_beside_the_samples():
    sample = {"batches": 10, "instances": 100, "tokens": 900, "positions": 1200}
    profile = EpochProfile.of({**sample, "file": {**sample, "positions": 1000}})
    assert profile.file == EpochProfile(10, 100, 1000, 900)
    steps = {"seconds": [1.0, 1.0], "instances": [10, 10], "tokens": [90, 90], "positions": [120, 120],
             "loss": [1.0, 1.0]}
    metrics = metrics_of(Window(steps, profile, 1, 0, 1, None, 0))
    # Two steps: time proportional to padded positions, so 1000 positions take 10/12 of 1200's time.
    assert metrics.file_instances_per_s == pytest.approx(metrics.instances_per_s * 1.2)
    assert metrics_of(Window(steps, replace(profile, file=None), 1, 0, 1, None, 0)).file_instances_per_s is None
