"""The I/O edge of planning: load the config, connect, read the live assistants, build the plan.

Everything here is a thin sequence over pure pieces (loader, identity, plan) and the client, so
the commands (`plan`, `apply`, `drift`) share one way of doing it.
"""

from __future__ import annotations

import functools
import gc
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistants.client import AssistantsClient
from assistants.listing import Listing
from reconciler.change import Outcome
from reconciler.collector import collection_paused
from reconciler.context import RunContext
from reconciler.diff import Forms
from reconciler.identity import require_owner
from reconciler.live_intake import LiveIntake
from reconciler.loader import Config, finish_steps, load_steps, until_decided
from reconciler.plan import Plan, build_plan
from reconciler.plan_inputs import OnPage, load_while_listing

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


async def read_live(client: AssistantsClient, run: RunContext,
                    on_page: OnPage | None = None, *,
                    listing: Listing | None = None) -> list[dict[str, Any]]:
    """Every live assistant; or, with `on_page`, each page handed to it as it arrives and
    nothing kept here. `listing` is the one to read (a new one by default)."""
    if run.verbose:
        _stderr_log(f"trace id {client.trace_id}")
    run.progress(f"Reading assistants from {client.endpoint} ...")
    live: list[dict[str, Any]] = []
    count = 0
    async for page in (listing or client.listing()).pages():
        count += len(page)
        if on_page is None:
            live.extend(page)
        else:
            on_page(page)
        del page
        if not gc.isenabled():  # paused by make_plan: free the page's response (a cycle)
            gc.collect(0)
    run.progress(f"Read {count} assistants.")
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
    caller (apply reuses it); the caller closes it.

    The cyclic garbage collector is paused meanwhile (see `collection_paused`).

    A large config is loaded while the listing is in flight (plan_inputs.py), with the same
    errors in the same order as one step after the other. A small config (under
    `OVERLAP_MIN_FILES` files) is loaded before connecting, so an invalid one sends no request
    at all."""
    with collection_paused(freeze=run.whole_process):
        return await _make_plan(run, paths, prune=prune, only=only, takeover=takeover,
                                config=config)


async def _make_plan(
    run: RunContext,
    paths: Sequence[str],
    *,
    prune: bool,
    only: Sequence[str],
    takeover: bool,
    config: Config | None,
) -> tuple[Config, Plan, AssistantsClient]:
    forms = Forms()
    intake = LiveIntake(forms, owner=run.owner)
    steps = None
    if config is None:
        steps = load_steps(paths or (".",), watch=intake)
        if next(steps) < OVERLAP_MIN_FILES:
            config, steps = finish_steps(steps), None
        else:
            until_decided(steps)  # connecting may start a thread, after which no fork
    if config is not None:
        resolve_owner(run, config)
    try:
        client = open_client(run)
    except Exception:
        if steps is not None:  # a config error is reported before a connection error
            resolve_owner(run, finish_steps(steps))
        raise
    listing = client.listing()  # LISTING CALL SITE (h3-listing): one listing, confirmed below
    try:
        if steps is None:
            assert config is not None
            owner = resolve_owner(run, config)
            intake.config_known(config, owner, prune=prune)
            await read_live(client, run, intake.take_page, listing=listing)
        else:
            config, owner = await load_while_listing(
                steps, functools.partial(read_live, client, run, listing=listing),
                functools.partial(resolve_owner, run), intake, client.get, prune=prune)
        plan = build_plan(config, intake.kept, owner, endpoint=endpoint_label(run, client),
                          prune=prune, only=only, takeover=takeover, forms=forms)
        # LISTING CALL SITE (h3-listing, issue 14): before a plan creates anything, the keys
        # are confirmed absent by reading both ends of the listing on to their ends; what
        # that finds is taken in and the plan rebuilt on the union.
        if plan.summary["create"] and listing.confirmable and (missed := await listing.confirm()):
            intake.take_page(missed)
            plan = build_plan(config, intake.kept, owner, endpoint=endpoint_label(run, client),
                              prune=prune, only=only, takeover=takeover, forms=forms)
    except BaseException:
        await client.aclose()
        raise
    return config, plan, client


OVERLAP_MIN_FILES = 100
"""Below this many YAML files, loading takes milliseconds: load first, then connect."""


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
    progress = run.apply_progress(len(plan.pending))
    finished: list[Outcome] = []  # as they happen: the journal keeps them if apply is cut short

    def report(outcome: Outcome) -> None:
        finished.append(outcome)
        progress.clear()
        print(outcome_line(outcome), flush=True)
        progress.step(outcome.ok)

    applier = Applier(client, plan.owner, concurrency=concurrency, fail_fast=fail_fast,
                      report=report)
    outcomes: list[Outcome] = []
    try:
        outcomes = await applier.run(plan)
    finally:
        progress.close()
        journal = write_journal(plan, outcomes or finished, started) if plan.pending else None
    if ids_out:
        Path(ids_out).write_text(json.dumps(ids_map(plan, outcomes), indent=2) + "\n",
                                 encoding="utf-8")
    if plan.pending:
        print(outcomes_summary(plan, outcomes) + (f" Journal: {journal}" if journal else ""))
    return all(o.ok for o in outcomes)
