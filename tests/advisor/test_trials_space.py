"""The search space follows the probe sheet and the config."""
from pathlib import Path

from advisor.config import load_experiment
from advisor.trials import DEFAULT, build_space
from probes import probe_machine

from ..conftest import EXAMPLES
from ..probes.trees import basic


def experiment(name="bilstm_classifier"):
    return load_experiment(EXAMPLES / name / "config.jsonnet")


def test_emulated_bf16_is_never_in_the_space(recorded_root):
    space = build_space(probe_machine(recorded_root("epyc-2vcpu-kvm")), experiment())
    assert space.choices["precision"] == ("fp32",)
    assert "emulated" in space.skipped["precision"]
    # torch's default there is 2 threads: "default" measures it, so 2 is not repeated.
    assert space.choices["intra_op_threads"] == (DEFAULT, 1)


def test_native_bf16_and_thread_ladder_on_the_xeon(recorded_root):
    space = build_space(probe_machine(recorded_root("xeon-amx-16c-kvm")), experiment())
    assert space.choices["precision"] == ("fp32", "bf16")
    assert space.choices["intra_op_threads"] == (DEFAULT, 1, 2, 4, 8)


def test_loader_workers_are_searched_only_for_a_streaming_loader(recorded_root):
    machine = probe_machine(recorded_root("xeon-amx-16c-kvm"))
    # Without max_instances_in_memory the workers only read the file before training: nothing to measure.
    space = build_space(machine, experiment())
    assert space.choices["num_workers"] == ("config",)
    assert "max_instances_in_memory" in space.skipped["num_workers"]
    streaming = load_experiment(EXAMPLES / "bilstm_classifier" / "config.jsonnet",
                                overrides='{"data_loader.max_instances_in_memory": 256}')
    assert build_space(machine, streaming).choices["num_workers"] == ("config", 1, 2)  # config's 0 is "config"


def test_taskset_limits_thread_choices(recorded_root):
    space = build_space(probe_machine(recorded_root("xeon-amx-16c-taskset4")), experiment())
    assert space.choices["intra_op_threads"] == (DEFAULT, 1, 2)  # torch defaulted to the 4 it may use


def test_allocators_on_disk_become_choices(make_tree):
    files = basic(4)
    files["usr/lib/x86_64-linux-gnu/libjemalloc.so.2"] = "ELF"
    machine = probe_machine(make_tree(files))
    space = build_space(machine, experiment())
    assert space.choices["allocator"] == ("system", "jemalloc")
    setting = space.grid()[0].__class__(allocator="jemalloc")
    env = setting.process_env({a.name: a.path for a in machine.runtime.allocators})
    assert env["LD_PRELOAD"].endswith("libjemalloc.so.2") and "MALLOC_CONF" in env


def test_layouts_keep_the_config_first_and_skip_what_it_already_uses(recorded_root, tmp_path):
    config = tmp_path / "c.jsonnet"
    config.write_text(f'(import "{EXAMPLES}/bilstm_classifier/config.jsonnet") + '
                      '{ data_loader: { batch_sampler: { type: "bucket", batch_size: 32 } } }')
    space = build_space(probe_machine(recorded_root("epyc-2vcpu-kvm")), load_experiment(config))
    assert space.choices["batch_layout"] == ("config", "max_tokens")
    assert Path(config).exists()
