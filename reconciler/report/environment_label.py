"""How reports name a plan's environment: `, environment staging` after the endpoint, or
nothing for a config that declares no environments (so their reports read as before)."""

from __future__ import annotations

from reconciler.plan.model import Plan


def environment_part(plan: Plan, *, code: bool = False) -> str:
    """`, environment staging` (Markdown: `` `staging` ``), or "" without an environment."""
    if plan.environment is None:
        return ""
    name = f"`{plan.environment}`" if code else plan.environment
    return f", environment {name}"
