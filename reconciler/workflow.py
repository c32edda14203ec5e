"""The I/O edge of planning: load the config, connect, read the live assistants, build the plan.

Everything here is a thin sequence over pure pieces (loader, identity, plan) and the client, so
the commands (`plan`, `apply`, `drift`) share one way of doing it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistants.client import AssistantsClient
from reconciler.context import RunContext
from reconciler.identity import require_owner
from reconciler.loader import Config, load_config
from reconciler.plan import Plan, build_plan

LOCAL_ENDPOINT_PREFIX = "local:"


def endpoint_label(run: RunContext, client: AssistantsClient) -> str:
    """What plans record and messages print as the endpoint (never with credentials)."""
    return f"{LOCAL_ENDPOINT_PREFIX}{run.db_path}" if run.local else client.endpoint


def open_client(run: RunContext) -> AssistantsClient:
    log = _stderr_log if run.verbose else None
    if run.local:
        return AssistantsClient.local(run.db_path, log=log, timeout=run.timeout)
    return AssistantsClient.from_env(run.endpoint, run.env, log=log, timeout=run.timeout)


def resolve_owner(run: RunContext, config: Config) -> str:
    """--owner or ASSISTANTS_OWNER (click merges both into run.owner), else the settings file."""
    if run.owner:
        return require_owner(run.owner)
    return require_owner(config.settings.owner, config.settings.source)


async def read_live(client: AssistantsClient, run: RunContext) -> list[dict[str, Any]]:
    if run.verbose:
        _stderr_log(f"trace id {client.trace_id}")
    run.progress(f"Reading assistants from {client.endpoint} ...")
    live = await client.list_all()
    run.progress(f"Read {len(live)} assistants.")
    return live


async def make_plan(
    run: RunContext,
    paths: Sequence[str],
    *,
    prune: bool = False,
    only: Sequence[str] = (),
    takeover: bool = False,
    config: Config | None = None,
) -> tuple[Config, Plan, AssistantsClient]:
    """Load (unless given), read the live world once, and plan. The client stays open for the
    caller (apply reuses it); the caller closes it."""
    config = config or load_config(paths or (".",))
    owner = resolve_owner(run, config)
    client = open_client(run)
    try:
        live = await read_live(client, run)
    except BaseException:
        await client.aclose()
        raise
    plan = build_plan(config, live, owner, endpoint=endpoint_label(run, client), prune=prune,
                      only=only, takeover=takeover)
    return config, plan, client


def _stderr_log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


async def execute(
    run: RunContext,
    plan: Plan,
    client: AssistantsClient,
    *,
    concurrency: int,
    fail_fast: bool,
    ids_out: str | None,
) -> bool:
    """Apply `plan`, print each outcome, keep a journal; True when every change succeeded."""
    from datetime import UTC, datetime

    from reconciler.apply import Applier, ids_map
    from reconciler.journal import write_journal
    from reconciler.render import outcome_line, outcomes_summary

    started = datetime.now(UTC)
    applier = Applier(client, plan.owner, concurrency=concurrency, fail_fast=fail_fast,
                      report=lambda outcome: print(outcome_line(outcome), flush=True))
    outcomes: list = []
    try:
        outcomes = await applier.run(plan)
    finally:
        journal = write_journal(plan, outcomes, started) if plan.pending else None
    if ids_out:
        Path(ids_out).write_text(json.dumps(ids_map(plan, outcomes), indent=2) + "\n",
                                 encoding="utf-8")
    if plan.pending:
        print(outcomes_summary(plan, outcomes) + (f" Journal: {journal}" if journal else ""))
    return all(o.ok for o in outcomes)
