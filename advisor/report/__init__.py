"""Presentation: rich renderables and text reports built from typed results.

Nothing here computes facts; it only lays out what the stages produced.
"""
from .machine import machine_renderables

__all__ = ["machine_renderables"]
