"""Deterministic data for the bundled examples, written in each reader's real format.

Nothing large is committed: the data is generated on first use. Vocabularies
are Zipf-distributed (Zipf-Mandelbrot over 20k-50k synthetic words), lengths
follow the public data sets each example stands for, and labels depend on the
words, so the models really learn.

    python examples/generate.py                  # full-size data for every example
    python examples/generate.py --tiny           # the tiny variants the tests use
    python examples/generate.py bilstm_classifier

Re-running is cheap: a data folder whose stamp matches is left alone.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np

HERE = Path(__file__).resolve().parent
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Spec:
    """One example's data: what public set it imitates and how big it is."""

    kind: str  # "classification" (text_classification_json) or "tagging" (sequence_tagging)
    like: str
    vocab_size: int
    length_mean: float
    length_sd: float
    length_min: int
    length_max: int
    labels: int
    train: int
    validation: int
    seed: int
    subdir: str = "data"


SPECS: Dict[str, Spec] = {
    # AG News: 4 classes, title + description about 38 words.
    "cnn_classifier": Spec("classification", "AG News", 40000, 38, 10, 8, 120, 4, 24000, 2000, 1),
    # SST-5: 8,544 training sentences of about 19 tokens, vocabulary about 21k.
    "bilstm_classifier": Spec("classification", "SST-5", 21000, 19, 9, 2, 56, 5, 8544, 1101, 2),
    # Penn Treebank POS: sentences of about 25 tokens, 45 tags, vocabulary about 45k.
    "gru_tagger": Spec("tagging", "PTB POS", 45000, 25, 12, 1, 141, 45, 12000, 1000, 3),
    # News-like classification for a small transformer encoder.
    "transformer_classifier": Spec("classification", "AG News", 30000, 38, 10, 8, 120, 4, 10000, 1000, 4),
    # SST-2-like sentences through a (tiny, offline) BERT.
    "bert_classifier": Spec("classification", "SST-2", 20000, 19, 9, 2, 56, 2, 4000, 500, 5),
    # The SST-5-like data again, behind a GPU-habits config.
    "gpu_habits": Spec("classification", "SST-5", 21000, 19, 9, 2, 56, 5, 8544, 1101, 6),
}
TINY_SIZES = {"train": 64, "validation": 32}

_ONSETS = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "st", "tr", "pl", "gr", "sh"]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ou", "ea"]
_CODAS = ["", "", "n", "r", "s", "t", "l", "nd", "st"]


def make_words(n: int, seed: int) -> List[str]:
    """n distinct pronounceable words, shorter ones for the frequent ranks (as in real text)."""
    rng = np.random.default_rng(seed)
    words: List[str] = []
    seen = set()
    pool = iter(())
    while len(words) < n:
        parts = next(pool, None)
        if parts is None:  # draw random syllable parts in bulk; Python-level RNG calls are slow
            pool = iter(rng.integers(0, 1 << 30, size=(4096, 13)).tolist())
            continue
        syllables = 1 + int(len(words) > 300) + int(len(words) > 6000) + int(parts[12] % 10 < 3)
        word = "".join(_ONSETS[parts[3 * k] % len(_ONSETS)] + _VOWELS[parts[3 * k + 1] % len(_VOWELS)]
                       + _CODAS[parts[3 * k + 2] % len(_CODAS)] for k in range(syllables))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def zipf_probs(n: int, exponent: float = 1.07, shift: float = 2.7) -> np.ndarray:
    p = 1.0 / (np.arange(1, n + 1) + shift) ** exponent
    return p / p.sum()


def lengths(rng: np.random.Generator, spec: Spec, n: int) -> np.ndarray:
    sigma2 = np.log(1 + (spec.length_sd / spec.length_mean) ** 2)
    mu = np.log(spec.length_mean) - sigma2 / 2
    raw = rng.lognormal(mu, np.sqrt(sigma2), size=n)
    return np.clip(np.round(raw), spec.length_min, spec.length_max).astype(int)


def _classification(spec: Spec, words: List[str], rng: np.random.Generator, n: int) -> List[str]:
    probs = zipf_probs(len(words))
    # Each label owns 300 mid-frequency topic words; 15% of a text's tokens come from its label's set.
    topic = rng.permutation(np.arange(100, min(len(words), 100 + 300 * spec.labels)))
    topic_sets = [topic[i::spec.labels] for i in range(spec.labels)]
    lens = lengths(rng, spec, n)
    all_ids = np.split(rng.choice(len(words), size=int(lens.sum()), p=probs), np.cumsum(lens)[:-1])
    lines = []
    for ids in all_ids:
        label = int(rng.integers(spec.labels))
        mask = rng.random(len(ids)) < 0.15
        ids[mask] = rng.choice(topic_sets[label], size=int(mask.sum()))
        lines.append(json.dumps({"text": " ".join(words[i] for i in ids), "label": str(label)}))
    return lines


def _tagging(spec: Spec, words: List[str], rng: np.random.Generator, n: int) -> List[str]:
    probs = zipf_probs(len(words))
    tags = [f"T{i:02d}" for i in range(spec.labels)]
    tag_probs = zipf_probs(spec.labels, exponent=1.2, shift=1.0)
    # Most words have one tag; 20% are ambiguous between two, as in POS data.
    first = rng.choice(spec.labels, size=len(words), p=tag_probs)
    second = rng.choice(spec.labels, size=len(words), p=tag_probs)
    ambiguous = rng.random(len(words)) < 0.2
    lens = lengths(rng, spec, n)
    lines = []
    for ids in np.split(rng.choice(len(words), size=int(lens.sum()), p=probs), np.cumsum(lens)[:-1]):
        flip = ambiguous[ids] & (rng.random(len(ids)) < 0.5)
        tag_ids = np.where(flip, second[ids], first[ids])
        lines.append("\t".join(f"{words[i]}###{tags[t]}" for i, t in zip(ids, tag_ids)))
    return lines


def data_dir(name: str, tiny: bool) -> Path:
    spec = SPECS[name]
    return HERE / name / spec.subdir / ("tiny" if tiny else "full")


def generate(name: str, tiny: bool = False, out_dir: Optional[Path] = None) -> Path:
    """Write ``train`` and ``validation`` files for one example; return the folder."""
    spec = SPECS[name]
    folder = out_dir or data_dir(name, tiny)
    ext = "jsonl" if spec.kind == "classification" else "tsv"
    stamp = {"format": FORMAT_VERSION, "tiny": tiny, **asdict(spec)}
    stamp_file = folder / "stamp.json"
    if stamp_file.exists() and json.loads(stamp_file.read_text()) == stamp:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    words = make_words(spec.vocab_size, spec.seed)
    write = _classification if spec.kind == "classification" else _tagging
    for split, seed_offset in (("train", 0), ("validation", 1)):
        n = TINY_SIZES[split] if tiny else getattr(spec, split)
        rng = np.random.default_rng(spec.seed * 1000 + seed_offset)
        (folder / f"{split}.{ext}").write_text("\n".join(write(spec, words, rng, n)) + "\n")
    stamp_file.write_text(json.dumps(stamp, indent=1))
    return folder


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", choices=[*SPECS, []], help="examples (default: all)")
    parser.add_argument("--tiny", action="store_true", help="the tiny variants used by the tests")
    args = parser.parse_args(argv)
    for name in args.names or list(SPECS):
        folder = generate(name, tiny=args.tiny)
        print(f"{name}: {folder.relative_to(HERE.parent)}", file=sys.stderr)


if __name__ == "__main__":
    main()
