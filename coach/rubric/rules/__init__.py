"""Every rule module; importing this package registers them all by id."""

from coach.rubric.rules import ai_layer, extended, guardrails, hierarchy, math_vs_causal, north_star, rca

__all__ = ["ai_layer", "extended", "guardrails", "hierarchy", "math_vs_causal", "north_star", "rca"]
