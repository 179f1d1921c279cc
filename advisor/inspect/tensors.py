"""Counting what a batch holds: instances, real tokens and padded positions per text field."""
from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

__all__ = ["batch_counts"]


def batch_counts(batch: Dict[str, Any], text_field: Optional[str] = None) -> Tuple[int, Dict[str, Tuple[int, int]]]:
    """(instances, {text field: (real tokens, padded positions)}) from the text fields' masks."""
    from allennlp.nn.util import get_text_field_mask

    fields: Dict[str, Tuple[int, int]] = {}
    instances = 0
    for name, value in batch.items():
        if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            mask = get_text_field_mask(value)
            fields[name] = (int(mask.sum()), mask.numel())
            if text_field is None or name == text_field:
                instances = max(instances, int(mask.shape[0]))
    if not instances:
        first = next((v for v in batch.values() if hasattr(v, "shape")), None)
        instances = int(first.shape[0]) if first is not None else 0
    return instances, fields
