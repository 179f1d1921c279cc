"""The data_loader patch for a batch layout: the trials' own overrides, as dotted config keys."""
from __future__ import annotations

from typing import Any, Dict, Optional

from advisor.trials.setting import layout_overrides

from .._base import REMOVE


def layout_patch(layout: str, batch_size: int, sorting_key: Optional[str], mean_tokens: float) -> Dict[str, Any]:
    overrides = layout_overrides(layout, batch_size, sorting_key, mean_tokens)
    return {f"data_loader.{k}": REMOVE if v is None else v for k, v in overrides.items()}
