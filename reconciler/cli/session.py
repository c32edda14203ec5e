"""The I/O edge of planning: load the config, connect, read the live objects, build the plan.

Every command runs the same steps, in this order, so a bad config sends no request:

    state = load(run, paths)                                 # config/: YAML -> resolved values
    async with open_client(run) as client:
        plan = await make_plan(run, client, state)           # list -> match -> diff -> Plan
        ok = await execute(run, plan, client, ...)           # apply/, for `apply` only

(`plan_paths` is the first three lines, for `plan` and `drift`.) The steps live in
reconciler/config/loader.py, reconciler/plan/ and reconciler/apply/applier.py.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from assistants.client import AssistantsClient
from assistants.errors import EndpointError
from assistants.kinds import Kind, all_kinds
from assistants.listing import Listing
from reconciler.cli.context import RunContext
from reconciler.cli.environment import resolve_owner, use_environment
from reconciler.cli.pacing import pacing
from reconciler.config.loader import Config, load_config
from reconciler.config.resolved import DesiredState
from reconciler.plan.build import build_plan
from reconciler.plan.change import Outcome
from reconciler.plan.live import FormNeed, LiveRecord
from reconciler.plan.model import Plan
from reconciler.report.apply_report import ApplyResult
from reconciler.words import count

LOCAL_ENDPOINT_PREFIX = "local:"


def endpoint_label(run: RunContext, client: AssistantsClient) -> str:
    """What plans record and messages print as the endpoint (never with credentials)."""
    return f"{LOCAL_ENDPOINT_PREFIX}{run.db_path}" if run.local else client.endpoint


def open_client(run: RunContext) -> AssistantsClient:
    log = _stderr_log if run.verbose else None
    if run.local:
        from reconciler.cli.local_client import local_client  # the server only for --local

        return local_client(run.db_path, log=log, timeout=run.timeout,
                            retry=pacing(run.env).retry, warn=run.listing_warning)
    client = AssistantsClient.from_env(run.endpoint, run.env, log=log, timeout=run.timeout,
                                       retry=pacing(run.env).retry, warn=run.listing_warning)
    if log:
        log(f"credentials: {client.auth}")
    return client


async def read_live(client: AssistantsClient, run: RunContext, listing: Listing,
                    need: FormNeed) -> list[LiveRecord]:
    """Every live object of `need.kind` as a record, each page taken in as it arrives; `need`
    says which keep their canonical form."""
    kind = need.kind
    run.progress(f"Reading {kind.plural} from {client.endpoint} ...")
    live: list[LiveRecord] = []
    async for page in listing.pages(oldest_first=False):  # matching orders copies itself
        live.extend(need.record(obj) for obj in page)
    run.progress(f"Read {count(len(live), kind.name)}.")
    return live


def load(run: RunContext, paths: Sequence[str]) -> tuple[Config, DesiredState]:
    """The config under `paths`, resolved for its owner: every config error before any
    request."""
    config = load_config(paths or (".",), environment=run.environment,
                         named_by=run.environment_given)
    use_environment(run, config)
    return config, config.resolve(resolve_owner(run, config))


async def make_plan(
    run: RunContext,
    client: AssistantsClient,
    state: DesiredState,
    *,
    prune: bool = False,
    only: Sequence[str] = (),
    takeover: bool = False,
    every_kind: bool = False,
) -> Plan:
    """The plan for `state`: list each collection it needs, concurrently and each from both
    ends, then match, diff and build (plan/build.py). The collections are those of the kinds
    the documents name, and every kind's with `prune` or `every_kind` (drift): a server that
    does not serve a collection no document names has none of its objects. Servers exist whose
    cursor skips items, so before a plan creates anything the listings are read on to both
    ends, and what that finds is planned with the rest."""
    if run.verbose:
        _stderr_log(f"trace id {client.trace_id}")
    named = state.kinds()
    kinds = [k for k in all_kinds() if prune or every_kind or k in named]
    needs = {kind: FormNeed(kind, state.desired, state.owner) for kind in kinds}
    listings = {kind: client.listing(kind) for kind in kinds}
    live = await _read_all(run, client, listings, needs, named)

    def build() -> Plan:
        return build_plan(state, live, endpoint=endpoint_label(run, client),
                          prune=prune, only=only, takeover=takeover)

    plan = build()
    if plan.summary["create"]:
        creating = {c.kind for c in plan.changes if c.action == "create"}
        pending = [kind for kind, listing in listings.items()
                   if kind.name in creating and listing.confirmable]
        missed = await asyncio.gather(*(listings[kind].confirm() for kind in pending))
        more = [needs[kind].record(obj) for kind, objs in zip(pending, missed, strict=True)
                for obj in objs]
        if more:
            live.extend(more)
            plan = build()
    return plan


async def _read_all(run: RunContext, client: AssistantsClient, listings: dict[Kind, Listing],
                    needs: dict[Kind, FormNeed], named: tuple[Kind, ...]) -> list[LiveRecord]:
    """Every listing read concurrently into records. A collection no document names may be
    missing from the server (a 404): it then has no objects and leaves `listings`. Of several
    failures, the first kind's is raised, whichever came first in time."""
    async def read(kind: Kind) -> list[LiveRecord]:
        try:
            return await read_live(client, run, listings[kind], needs[kind])
        except EndpointError:
            if kind in named:
                raise
            run.progress(f"The server serves no {kind.plural}; none are planned.")
            listings.pop(kind)
            return []

    results = await asyncio.gather(*(read(k) for k in list(listings)), return_exceptions=True)
    live: list[LiveRecord] = []
    for result in results:
        if isinstance(result, BaseException):
            raise result
        live.extend(result)
    return live


async def plan_paths(run: RunContext, paths: Sequence[str], **options: Any) -> tuple[Config, Plan]:
    """`assistants plan PATHS`: load, connect, list, plan (`options` as for `make_plan`)."""
    config, state = load(run, paths)
    async with open_client(run) as client:
        return config, await make_plan(run, client, state, **options)


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
    out: TextIO | None = None,
) -> ApplyResult:
    """Apply `plan`, print each outcome to `out` (stdout), keep a journal."""
    from datetime import UTC, datetime

    from reconciler.apply.applier import Applier
    from reconciler.apply.journal import write_journal
    from reconciler.report.apply_report import known_ids, second_copies
    from reconciler.report.render import outcome_line, outcomes_summary

    out = out or sys.stdout
    started = datetime.now(UTC)
    progress = run.apply_progress(len(plan.pending))
    finished: list[Outcome] = []  # as they happen: the journal keeps them if apply is cut short

    def report(outcome: Outcome) -> None:
        finished.append(outcome)
        progress.clear()
        print(outcome_line(outcome), file=out, flush=True)
        progress.step(outcome.ok)

    run.step = "after creating"
    applier = Applier(client, plan.owner, concurrency=concurrency, fail_fast=fail_fast,
                      report=report, settle_seconds=pacing(run.env).settle_seconds)
    outcomes: list[Outcome] = []
    try:
        outcomes = await applier.run(plan)
    finally:
        progress.close()
        journal = write_journal(plan, outcomes or finished, started) if plan.pending else None
        if ids_out:  # also when cut short: the ids known so far
            Path(ids_out).write_text(json.dumps(known_ids(plan, outcomes or finished),
                                                indent=2) + "\n", encoding="utf-8")
    copies = second_copies(finished)
    if plan.pending:
        print(outcomes_summary(plan, outcomes, copies) + (f" Journal: {journal}" if journal
                                                          else ""), file=out)
    return ApplyResult(plan, tuple(outcomes), journal, second_copies=copies)
