"""Checks that a saved plan still describes the world before anything is written (Terraform's
"Saved plan is stale"): the same endpoint, the same config, and every target as it was."""

from __future__ import annotations

import asyncio
from pathlib import Path

from assistants.client import AssistantsClient
from assistants.errors import NotFoundError
from assistants.kinds import kind_named
from reconciler.errors import PlanError, StalePlanError
from reconciler.marker import live_marker
from reconciler.plan.change import Action, Change
from reconciler.plan.live import LiveRecord
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
    plan: Plan, config_sha256: str | None, client: AssistantsClient, endpoint: str
) -> list[str]:
    """Every reason the plan no longer applies; empty when it does (`config_sha256`: the
    digest of the config as it is now; None when the plan names no paths). One GET per update
    or delete target; one listing per kind the plan creates."""
    reasons: list[str] = []
    if plan.endpoint != endpoint:
        reasons.append(f"the plan was made against {plan.endpoint}, not {endpoint}")
        return reasons
    if config_sha256 is not None and config_sha256 != plan.config_sha256:
        reasons.append(
            f"the config in {', '.join(plan.paths)} changed since the plan "
            f"(sha256 {plan.config_sha256[:12]} -> {config_sha256[:12]})"
        )
    limit = asyncio.Semaphore(GET_CONCURRENCY)

    async def check(change: Change) -> str | None:
        kind = kind_named(change.kind)
        async with limit:
            try:
                live = await client.get(str(change.id), kind=kind)
            except NotFoundError:
                return f"{kind.label}{change.key} ({change.id}) was deleted since the plan"
        if LiveRecord.of(kind, live).sha256 != change.live_sha256:
            return f"{kind.label}{change.key} ({change.id}) changed on the server since the plan"
        return None

    targets = [c for c in plan.changes if c.action in (Action.UPDATE, Action.DELETE)]
    reasons += [r for r in await asyncio.gather(*(check(c) for c in targets)) if r]
    creates: dict[str, set[str]] = {}
    for change in plan.changes:
        if change.action is Action.CREATE:
            creates.setdefault(change.kind, set()).add(change.key)
    for name, keys in sorted(creates.items()):
        # The plan will create these keys, so they are confirmed absent with both ends of
        # the listing read to their ends.
        for obj in await client.list_all(confirm=lambda listed: True, kind=kind_named(name)):
            marker = live_marker(obj)
            if marker and marker.owner == plan.owner and marker.key in keys:
                reasons.append(f"{kind_named(name).label}{marker.key} now exists as "
                               f"{obj.get('id')}")
    return reasons


async def check_saved_plan(
    plan: Plan, config_sha256: str | None, client: AssistantsClient, endpoint: str
) -> None:
    reasons = await stale_reasons(plan, config_sha256, client, endpoint)
    if reasons:
        raise StalePlanError(reasons + ["run plan again"])
