"""Presentation: rich renderables and text reports built from typed results.

Nothing here computes facts; it only lays out what the stages produced.
"""
from .experiment import model_renderables, static_renderables
from .machine import machine_renderables

__all__ = ["machine_renderables", "model_renderables", "static_renderables"]
