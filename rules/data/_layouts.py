"""The data_loader patch for a batch layout (mirrors the trial runner's overrides)."""
from __future__ import annotations

from typing import Any, Dict, Optional

from .._base import REMOVE


def layout_patch(layout: str, batch_size: int, sorting_key: Optional[str], mean_tokens: float) -> Dict[str, Any]:
    keys = [sorting_key] if sorting_key else None
    if layout == "bucket":
        sampler: Dict[str, Any] = {"type": "bucket", "batch_size": batch_size, "padding_noise": 0.1}
    else:
        sampler = {"type": "max_tokens_sampler", "max_tokens": max(1, round(batch_size * mean_tokens)),
                   "padding_noise": 0.1}
    if keys:
        sampler["sorting_keys"] = keys
    return {"data_loader.batch_sampler": sampler, "data_loader.batch_size": REMOVE,
            "data_loader.shuffle": REMOVE, "data_loader.drop_last": REMOVE}
