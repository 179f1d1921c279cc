"""The whole-file vocabulary estimate, against a real generated corpus and through inspect."""
from __future__ import annotations

from advisor.inspect.vocab_growth import estimate_types

from ..conftest import load_generator
from .test_cli_inspect import inspect_json


def test_estimate_from_a_sample_is_close_to_the_whole_file(tmp_path):
    folder = load_generator().generate("gru_tagger", out_dir=tmp_path / "data")  # 12,000 Zipf sentences
    lines = [ln for ln in (folder / "train.tsv").read_text().splitlines() if ln.strip()]
    seen, curve = set(), []
    for i, line in enumerate(lines, 1):
        seen.update(pair.rsplit("###", 1)[0].lower() for pair in line.split())
        if i in (500, 1000, 2000):
            curve.append(len(seen))
    estimate = estimate_types(curve, 2000, len(lines))
    assert abs(estimate - len(seen)) / len(seen) < 0.15, (estimate, len(seen), curve)
    assert curve[-1] < 0.5 * len(seen)  # the sample alone would be far off
    assert estimate_types(curve, 2000, 2000) == curve[-1]  # the whole file read: nothing to estimate


def test_sample_vocabulary_is_padded_to_the_estimate_and_the_model_gets_it(tiny_data, in_repo):
    facts = inspect_json("gru_tagger", "--sample-instances", "40")
    by_name = {ns["namespace"]: ns for ns in facts["vocabulary"]}
    tokens, labels = by_name["tokens"], by_name["labels"]
    assert tokens["sample_vocab_size"] is not None and tokens["vocab_size"] > tokens["sample_vocab_size"]
    assert labels["sample_vocab_size"] is None  # a closed set: never padded
    rows = {m["rows"] for m in facts["embeddings"]}
    assert tokens["vocab_size"] in rows  # the model was built with the whole-file size
