"""Widgets, each owning one piece of data: a KPI tree, a countdown, a checklist, a verdict banner."""
