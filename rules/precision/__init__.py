"""P: numeric precision (behaviour-changing)."""


def get_rules():
    from .P001 import MeasuredBf16
    from .P002 import Bf16Emulated

    return [MeasuredBf16, Bf16Emulated]
