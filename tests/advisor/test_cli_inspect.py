"""``advisor inspect`` end to end on every example's tiny variant, facts checked against the data."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from advisor.cli import app

from ..conftest import EXAMPLES

runner = CliRunner(mix_stderr=False)  # logs on stderr must not mix into --json output
EXT = {"gpu_habits": ["-V", "DATA_DIR=examples/gpu_habits/data/tiny"]}


def inspect_json(name, *extra):
    result = runner.invoke(app, ["inspect", f"examples/{name}/tiny.jsonnet", "--json", *EXT.get(name, []), *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def data_lines(name, split="train"):
    folder = EXAMPLES / name / "data" / "tiny"
    path = next(folder.glob(f"{split}.*"))
    return [line for line in path.read_text().splitlines() if line.strip()]


def classification_data(name):
    rows = [json.loads(line) for line in data_lines(name)]
    tokens = [r["text"].lower().split() for r in rows]
    return rows, tokens, {r["label"] for r in rows}


def lstm_params(input_size, hidden, layers, bidirectional, gates=4):
    total, dirs = 0, 2 if bidirectional else 1
    for layer in range(layers):
        inp = input_size if layer == 0 else hidden * dirs
        total += dirs * (gates * hidden * (inp + hidden) + 2 * gates * hidden)
    return total


@pytest.mark.parametrize("name", ["cnn_classifier", "bilstm_classifier", "gpu_habits"])
def test_word_classifiers(name, tiny_data, in_repo):
    facts = inspect_json(name)
    rows, tokens, labels = classification_data(name)
    vocab = len({t for toks in tokens for t in toks}) + 2  # + padding and OOV
    assert facts["sample"]["instances"] == len(rows)
    assert facts["sample"]["exhausted"] is True and facts["sample"]["estimated_total"] == len(rows)
    sizes = {ns["namespace"]: ns["vocab_size"] for ns in facts["vocabulary"]}
    assert sizes == {"tokens": vocab, "labels": len(labels)}
    lengths = [len(t) for t in tokens]
    (stats,) = facts["lengths"]
    assert stats["max"] == max(lengths) and stats["mean"] == round(sum(lengths) / len(lengths), 2)
    if name == "cnn_classifier":
        encoder, out_dim = sum(4 * 8 * n + 4 for n in (2, 3, 4)), 12
    elif name == "bilstm_classifier":
        encoder, out_dim = lstm_params(8, 6, 1, True), 12
    else:  # gpu_habits: 2-layer bi-LSTM
        encoder, out_dim = lstm_params(8, 6, 2, True), 12
    expected = vocab * 8 + encoder + out_dim * len(labels) + len(labels)
    assert facts["parameters_total"] == expected
    assert facts["embeddings"][0]["rows"] == vocab and facts["embeddings"][0]["dim"] == 8
    assert 0 < facts["padding"]["padding_fraction"] < 1


def test_gru_tagger(tiny_data, in_repo):
    facts = inspect_json("gru_tagger")
    sentences = [[tok.rsplit("###", 1) for tok in line.split("\t")] for line in data_lines("gru_tagger")]
    vocab = len({w.lower() for s in sentences for w, _ in s}) + 2
    tags = len({t for s in sentences for _, t in s})
    expected = vocab * 8 + lstm_params(8, 6, 2, True, gates=3) + 12 * tags + tags
    assert facts["parameters_total"] == expected
    stats = {s["field"]: s for s in facts["lengths"]}["tokens"]
    assert stats["max"] == max(len(s) for s in sentences)
    # padding fraction from the data alone: each batch of 8 pads to its longest sentence (shuffled,
    # so only bounds are checked): no padding at all is impossible with these lengths.
    assert facts["padding"]["padding_fraction"] > 0.05


def test_transformer_classifier(tiny_data, in_repo):
    facts = inspect_json("transformer_classifier")
    rows, tokens, labels = classification_data("transformer_classifier")
    vocab = len({t for toks in tokens for t in toks}) + 2
    d, ff = 16, 32
    layer = (3 * d * d + 3 * d) + (d * d + d) + (d * ff + ff) + (ff * d + d) + 2 * 2 * d
    assert facts["parameters_total"] == vocab * d + layer + d * len(labels) + len(labels)
    by_type = {g["module_type"]: g["parameters"] for g in facts["parameters_by_module"]}
    assert by_type["Embedding"] == vocab * d


def test_bert_classifier(tiny_data, in_repo):
    import torch

    facts = inspect_json("bert_classifier")
    state = torch.load(EXAMPLES / "bert_classifier" / "bert-xsmall-dummy" / "pytorch_model.bin", map_location="cpu")
    bert_params = sum(t.numel() for k, t in state.items() if "position_ids" not in k and not k.startswith("cls."))
    assert facts["parameters_total"] == bert_params + 20 * 2 + 2
    (emb,) = [e for e in facts["static"]["embedders"]]
    assert emb["type"] == "pretrained_transformer" and emb["max_length"] == 128
    word = [e for e in facts["embeddings"] if e["module"].endswith("word_embeddings")]
    assert word and word[0]["rows"] == 250 and word[0]["dim"] == 20


def test_inspect_tables_render(tiny_data, in_repo):
    result = runner.invoke(app, ["inspect", "examples/bilstm_classifier/tiny.jsonnet"])
    assert result.exit_code == 0, result.output
    for text in ("Parameters:", "padding", "Vocabulary", "lstm", "instances in the file"):
        assert text in result.stdout


def test_sample_caps_stop_the_read(tiny_data, in_repo):
    facts = inspect_json("gru_tagger", "--sample-instances", "10")
    assert facts["sample"]["instances"] == 10
    assert facts["sample"]["stopped_by"] == "instances"
    assert facts["sample"]["estimated_total"] is not None


def test_no_build_is_static_and_does_not_import_allennlp_or_torch(in_repo):
    code = ("import sys\nfrom typer.testing import CliRunner\nfrom advisor.cli import app\n"
            "r = CliRunner().invoke(app, ['inspect', 'examples/gpu_habits/config.jsonnet', '--no-build', '--json',"
            " '-V', 'DATA_DIR=examples/gpu_habits/data/full'])\n"
            "print(r.stdout)\n"
            "sys.stderr.write('HEAVY=%s' % sorted(m for m in ('torch', 'allennlp') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "HEAVY=[]" in proc.stderr, proc.stderr
    static = json.loads(proc.stdout)["static"]
    assert static["trainer"]["cuda_device"] == 0 and static["trainer"]["use_amp"] is True
    assert static["distributed"]["cuda_devices"] == [0, 1]
    assert static["data_loader"]["num_workers"] == 8
