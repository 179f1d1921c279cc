"""What-if model variants: which are proposed, and that one is really measured."""
from advisor.config import load_experiment
from advisor.trials import DEFAULT, StudyOptions, build_space, run_study
from advisor.trials.whatif import whatif_specs
from probes import probe_machine

from ..conftest import EXAMPLES, fixed_load_plan


def names(path, p95=None):
    return [s.name for s in whatif_specs(load_experiment(EXAMPLES / path).facts, p95)]


def test_specs_follow_the_model():
    assert names("bilstm_classifier/config.jsonnet") == ["hidden_size 128"]
    assert names("gru_tagger/config.jsonnet") == ["hidden_size 100", "1 gru layers"]
    assert names("transformer_classifier/config.jsonnet") == ["1 transformer layers", "bi-LSTM instead of transformer"]
    assert names("bert_classifier/config.jsonnet", p95=40) == ["frozen transformer", "max_length 64"]
    assert names("bert_classifier/config.jsonnet", p95=200) == ["frozen transformer"]
    assert names("cnn_classifier/config.jsonnet") == []


def test_a_whatif_is_measured_against_the_config(tiny_data, in_repo, tmp_path):
    machine = probe_machine()
    experiment = load_experiment(EXAMPLES / "transformer_classifier" / "tiny.jsonnet")
    space = build_space(machine, experiment).restrict(
        inter_op_threads=(DEFAULT,), omp_proc_bind=("unset",), allocator=("system",), num_workers=("config",),
        precision=("fp32",), batch_layout=("config",))
    options = StudyOptions(n_trials=2, budget_s=90, target_trial_s=0.3, min_steps=3, warmup_steps=1,
                           remeasure_rounds=3, max_whatifs=1)
    result = run_study(experiment, machine, space, tmp_path, options=options, load_plan=fixed_load_plan())
    (whatif,) = result.whatifs
    assert whatif.name == "bi-LSTM instead of transformer"
    assert whatif.rounds == 3 and whatif.instances_per_s > 0 and whatif.reference_instances_per_s > 0
    assert "seq2seq_encoder" in next(iter(whatif.patch))
