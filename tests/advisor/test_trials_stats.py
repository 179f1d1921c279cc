import pytest

from advisor.trials import compare, spread


def test_spread_quartiles():
    s = spread([1.0, 2.0, 3.0, 4.0, 100.0])
    assert s.median == 3.0 and s.p25 == 2.0 and s.p75 == 4.0 and s.max == 100.0


def test_clear_gain_is_significant():
    c = compare([100, 102, 98, 101, 99], [150, 149, 152, 151, 148])
    assert c.significant and c.ratio == pytest.approx(1.5, abs=0.03)
    assert c.ci_low > 1.4 and "faster" in c.verdict


def test_gain_inside_the_noise_is_no_significant_difference():
    c = compare([100, 130, 90, 120, 95], [110, 100, 125, 98, 118])
    assert not c.significant and "no significant difference" in c.verdict


def test_small_real_gain_below_min_gain_is_not_reported_as_a_winner():
    c = compare([100.0] * 5, [101.5, 101.4, 101.6, 101.5, 101.5])
    assert not c.significant


def test_slower_is_significant_and_says_so():
    c = compare([100, 101, 99, 100, 100], [60, 61, 59, 60, 62])
    assert c.significant and c.ratio < 1 and "slower" in c.verdict


def test_too_few_rounds_never_claims_a_winner():
    c = compare([100, 100], [200, 200])
    assert not c.significant and "too few" in c.verdict


def test_pruner_compares_speed_settings_with_speed_settings_only():
    import optuna

    from advisor.trials.pruner import SlowerThanBestPruner

    study = optuna.create_study(direction="maximize")
    for value, speed_only in ((200.0, False), (100.0, True)):  # a bf16 trial twice as fast, an fp32 one
        t = study.ask()
        t.set_user_attr("speed_only", speed_only)
        study.tell(t, value)
    pruner = SlowerThanBestPruner(margin=0.3)
    running = study.ask()
    running.set_user_attr("speed_only", True)
    running.report(90.0, 1)
    frozen = study.trials[-1]
    assert not pruner.prune(study, frozen)  # 90 is close to the best fp32 (100), far from bf16 (200)
    running.report(50.0, 2)
    assert pruner.prune(study, study.trials[-1])
