"""shim: removed with plan_inputs/live_intake. The second process that shared a large load is
gone; plan_inputs.py still names its type, of which no value is ever made."""

from __future__ import annotations


class Share:  # shim: removed with plan_inputs/live_intake
    """Never made (plan_inputs.py checks for one)."""
