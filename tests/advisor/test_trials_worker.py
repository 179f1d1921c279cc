"""A failed trial's reason names where it was raised (advisor.trials.worker)."""
import pytest
import torch

from advisor.trials.worker import failure_message, where_raised


def _refuse() -> None:
    raise ValueError("no")


def test_the_innermost_frame_is_named_relative_to_the_working_directory():
    with pytest.raises(ValueError) as caught:
        _refuse()
    where = where_raised(caught.value)
    assert where.endswith(f"test_trials_worker.py:{_refuse.__code__.co_firstlineno + 1} in _refuse")
    assert not where.startswith("/")
    assert failure_message(caught.value) == f"ValueError: no (at {where})"


def test_a_library_frame_is_named_from_its_package_as_bf16_in_allennlps_loss_helper_is():
    # AllenNLP 2.10's helper behind sequence_cross_entropy_with_logits knows float16/32/64 only: a
    # simple_tagger trial under bf16 autocast fails here (measured on a native-bf16 Zen 5).
    from allennlp.nn.util import tiny_value_of_dtype

    with pytest.raises(TypeError) as caught:
        tiny_value_of_dtype(torch.bfloat16)
    message = failure_message(caught.value)
    assert message.startswith("TypeError: Does not support dtype torch.bfloat16 (at allennlp/nn/util.py:")
    assert message.endswith(" in tiny_value_of_dtype)")


def test_an_exception_never_raised_has_no_place():
    assert where_raised(ValueError("x")) == ""
    assert failure_message(ValueError("x")) == "ValueError: x"
