"""Training script with the advisor's pre-flight check, as users asked for it.

    python examples/train_with_preflight.py examples/bilstm_classifier/config.jsonnet /tmp/model

The check runs in about a second (no AllenNLP import); `strict=True` stops before training on
errors or warnings; `apply=True` sets what a running process still can (torch threads) and
reports what had to be set before it started (allocator, OpenMP variables).
"""
import sys

from advisor import PreflightError, preflight


def main(config: str, serialization_dir: str) -> None:
    try:
        result = preflight(config, strict=False, apply=True)
    except PreflightError as exc:  # only with strict=True
        sys.exit(str(exc))
    for finding in result.findings:
        print(f"{finding.code} [{finding.severity.value}] {finding.message}\n    fix: {finding.fix}")
    for setting, how in result.applied.items():
        print(f"applied {setting}: {how}")
    for setting, why in result.not_applied.items():
        print(f"not applied {setting}: {why}")
    if result.errors:
        sys.exit("fix the errors above before training (or run `advisor analyze` for a CPU-ready config)")

    from allennlp.commands.train import train_model_from_file

    train_model_from_file(config, serialization_dir, include_package=["advisor.integration"], force=True)


if __name__ == "__main__":
    main(*sys.argv[1:3])
