"""The screening design that starts the search: one value changed at a time, each kept where it helped."""
from advisor.trials import BASELINE, DEFAULT
from advisor.trials.screening import layout_prior, screening, screening_step
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
    # Past the cap, torch's default threads fit only in the baseline: the other values are tried over
    # one thread where it was kept, and the capped value is never asked for.
    kept = screening_step(capped, {BASELINE: 100.0, Setting(intra_op_threads=1): 110.0})
    assert kept.next == Setting(intra_op_threads=1, batch_layout="bucket")
    assert screening_step(capped, {BASELINE: 100.0, Setting(intra_op_threads=1): 90.0}).next is None


def _walk(rates, padding_fraction=None):
    """The screening's trials, each measured at ``rates(setting)``, until it has no next one."""
    measured, trials = {BASELINE: 100.0}, []
    step = screening_step(SPACE, measured, padding_fraction=padding_fraction)
    while step.next is not None:
        trials.append(step.next)
        measured[step.next] = rates(step.next)
        step = screening_step(SPACE, measured, padding_fraction=padding_fraction)
    return trials, step


def test_a_value_that_helps_is_kept_and_the_next_values_are_tried_over_it():
    gains = {("intra_op_threads", 1): 1.10, ("intra_op_threads", 2): 1.20, ("batch_layout", "bucket"): 1.30,
             ("omp_proc_bind", "close"): 1.02,  # within the 3% margin: not asked for by the evidence
             ("allocator", "jemalloc"): 0.90}

    def rates(setting):
        rate = 100.0
        for (name, value), gain in gains.items():
            rate *= gain if getattr(setting, name) == value else 1.0
        return rate

    trials, end = _walk(rates)
    assert trials == [Setting(intra_op_threads=1), Setting(intra_op_threads=2),  # both values, the faster kept
                      Setting(intra_op_threads=2, batch_layout="bucket"),
                      Setting(intra_op_threads=2, batch_layout="bucket", omp_proc_bind="close"),
                      Setting(intra_op_threads=2, batch_layout="bucket", allocator="jemalloc")]
    assert end.anchor == Setting(intra_op_threads=2, batch_layout="bucket")  # the helpful ones, measured together
    assert set(end.anchor.changed()) == {"intra_op_threads", "batch_layout"}  # the dimensions kept


def test_a_value_that_helps_alone_but_not_over_the_kept_ones_is_dropped():
    # bucket batches and one thread both help alone; together one thread no longer does.
    def rates(setting):
        if setting.batch_layout == "bucket":
            return 130.0 if setting.intra_op_threads == 1 else 131.0
        return 110.0 if setting.intra_op_threads == 1 else 100.0

    trials, end = _walk(rates, padding_fraction=0.45)
    assert trials[:2] == [Setting(batch_layout="bucket"), Setting(batch_layout="bucket", intra_op_threads=1)]
    assert end.anchor == Setting(batch_layout="bucket")
    assert len(trials) == 5  # one trial per value, as screening each alone would take


def test_given_up_settings_count_as_no_help_and_a_failed_baseline_keeps_nothing():
    measured = {BASELINE: 100.0}
    given_up = {Setting(intra_op_threads=1)}  # failed, or measured under other load
    assert screening_step(SPACE, measured, given_up).next == Setting(intra_op_threads=2)
    no_baseline = {Setting(intra_op_threads=1): 120.0, Setting(intra_op_threads=2): 130.0}
    step = screening_step(SPACE, no_baseline)
    assert step.next == Setting(batch_layout="bucket") and step.anchor == BASELINE  # each value alone


def test_the_batch_layout_on_padded_batches_goes_to_the_rounds_where_its_one_trial_missed_the_mark():
    bucket, close = Setting(batch_layout="bucket"), Setting(omp_proc_bind="close")
    measured = {BASELINE: 100.0, bucket: 102.0, close: 104.0}  # bucket under the 3% mark: not kept
    anchor = screening_step(SPACE, measured, padding_fraction=0.35).anchor
    assert anchor.batch_layout == "config"  # the path went on without it
    assert layout_prior(SPACE, measured, anchor, 0.35) == bucket
    assert layout_prior(SPACE, measured, anchor, 0.05) is None  # little padding: no prior, one trial decides
    assert layout_prior(SPACE, measured, anchor, None) is None
    # Clearly slower in its trial: taken at its word (sorting and smaller batches can cost more than padding).
    assert layout_prior(SPACE, {**measured, bucket: 85.0}, anchor, 0.35) is None
    # Kept by the screening, or part of a faster trial: it is among the leaders already.
    kept = {BASELINE: 100.0, bucket: 110.0}
    assert layout_prior(SPACE, kept, screening_step(SPACE, kept, padding_fraction=0.35).anchor, 0.35) is None
    faster = {**measured, Setting(batch_layout="bucket", omp_proc_bind="close"): 112.0}
    assert layout_prior(SPACE, faster, anchor, 0.35) is None
    assert layout_prior(SPACE, {BASELINE: 100.0}, BASELINE, 0.35) is None  # not measured: nothing to send
