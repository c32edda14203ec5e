"""Checks that a saved plan still describes the world before anything is written (Terraform's
"Saved plan is stale"): the same endpoint, the same config, and every target as it was."""

from __future__ import annotations

import asyncio
from pathlib import Path

from assistants.client import AssistantsClient
from assistants.errors import NotFoundError, PlanError, StalePlanError
from reconciler.config.loader import Config
from reconciler.plan.change import Action, Change
from reconciler.plan.diff import live_sha256
from reconciler.plan.marker import live_marker
from reconciler.plan.model import Plan

GET_CONCURRENCY = 16


def read_plan(path: str, flag: str | None = "--plan") -> Plan:
    """The plan saved in `path`; errors name the file (after `flag`, the option that named it)."""
    where = f"{flag} {path}" if flag else path
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise PlanError(f"{where}: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise PlanError(f"{where}: not UTF-8 text, so not a plan file") from None
    return Plan.from_json(text, source=path)


async def stale_reasons(
    plan: Plan, config: Config | None, client: AssistantsClient, endpoint: str
) -> list[str]:
    """Every reason the plan no longer applies; empty when it does. One GET per update or
    delete target; one listing only when the plan creates something."""
    reasons: list[str] = []
    if plan.endpoint != endpoint:
        reasons.append(f"the plan was made against {plan.endpoint}, not {endpoint}")
        return reasons
    if config is not None and config.config_sha256 != plan.config_sha256:
        reasons.append(
            f"the config in {', '.join(plan.paths)} changed since the plan "
            f"(sha256 {plan.config_sha256[:12]} -> {config.config_sha256[:12]})"
        )
    limit = asyncio.Semaphore(GET_CONCURRENCY)

    async def check(change: Change) -> str | None:
        async with limit:
            try:
                live = await client.get(str(change.id))
            except NotFoundError:
                return f"{change.key} ({change.id}) was deleted since the plan"
        if live_sha256(live) != change.live_sha256:
            return f"{change.key} ({change.id}) changed on the server since the plan"
        return None

    targets = [c for c in plan.changes if c.action in (Action.UPDATE, Action.DELETE)]
    reasons += [r for r in await asyncio.gather(*(check(c) for c in targets)) if r]
    creates = {c.key for c in plan.changes if c.action is Action.CREATE}
    if creates:
        # The plan will create these keys, so they are
        # confirmed absent with both ends of the listing read to their ends.
        for assistant in await client.list_all(confirm=lambda listed: True):
            marker = live_marker(assistant)
            if marker and marker.owner == plan.owner and marker.key in creates:
                reasons.append(f"{marker.key} now exists as {assistant.get('id')}")
    return reasons


async def check_saved_plan(
    plan: Plan, config: Config | None, client: AssistantsClient, endpoint: str
) -> None:
    reasons = await stale_reasons(plan, config, client, endpoint)
    if reasons:
        raise StalePlanError(reasons + ["run plan again"])
