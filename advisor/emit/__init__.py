"""Outputs: the annotated CPU config overlay, env.sh, and the change plan behind both."""
from .env import render_env
from .overlay import FINGERPRINT_MARK, finding_snippet, render_overlay
from .plan import AppliedChange, ChangePlan, plan_changes

__all__ = ["AppliedChange", "ChangePlan", "FINGERPRINT_MARK", "finding_snippet", "plan_changes", "render_env", "render_overlay"]
