"""The screening design that starts the search: each value alone, then the helpful ones together."""
from advisor.trials import BASELINE, DEFAULT
from advisor.trials.screening import combination, screening
from advisor.trials.setting import SearchSpace, Setting

SPACE = SearchSpace({"intra_op_threads": (DEFAULT, 1, 2), "batch_layout": ("config", "bucket"),
                     "omp_proc_bind": ("unset", "close"), "allocator": ("system", "jemalloc")})


def test_every_value_is_screened_alone_in_process_dimensions_first():
    seeds = screening(SPACE)
    assert seeds == [Setting(intra_op_threads=1), Setting(intra_op_threads=2), Setting(batch_layout="bucket"),
                     Setting(omp_proc_bind="close"), Setting(allocator="jemalloc")]
    assert all(len(s.changed()) == 1 for s in seeds)


def test_padded_batches_put_the_batch_layout_first():
    padded = screening(SPACE, padding_fraction=0.45)
    assert padded[0] == Setting(batch_layout="bucket")
    assert padded[1:] == [s for s in screening(SPACE) if s != Setting(batch_layout="bucket")]
    assert screening(SPACE, padding_fraction=0.05) == screening(SPACE)  # little padding: the plain order


def test_values_above_the_thread_cap_are_not_screened():
    capped = SearchSpace(dict(SPACE.choices), thread_cap=1, default_threads=2)
    assert Setting(intra_op_threads=2) not in screening(capped)
    assert Setting(intra_op_threads=1) in screening(capped)


def test_the_values_that_beat_the_baseline_beyond_the_margin_are_combined():
    measured = {BASELINE: 100.0,
                Setting(intra_op_threads=1): 110.0, Setting(intra_op_threads=2): 120.0,  # the faster of two
                Setting(batch_layout="bucket"): 130.0,
                Setting(omp_proc_bind="close"): 102.0,  # within the 3% margin: not asked for by the evidence
                Setting(allocator="jemalloc"): 90.0}
    assert combination(measured, SPACE) == Setting(intra_op_threads=2, batch_layout="bucket")


def test_nothing_to_combine_with_fewer_than_two_helpful_values_or_no_baseline():
    one = {BASELINE: 100.0, Setting(batch_layout="bucket"): 130.0, Setting(omp_proc_bind="close"): 101.0}
    assert combination(one, SPACE) is None
    assert combination({Setting(batch_layout="bucket"): 130.0, Setting(omp_proc_bind="close"): 140.0}, SPACE) is None
