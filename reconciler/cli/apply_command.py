"""The `apply` and `rollback` commands' flows: confirmation, saved-plan checks, delete limits,
then execution. Kept apart from cli.py so that the click layer stays thin."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from typing import TextIO

import click

from reconciler.apply.journal import read_journal
from reconciler.apply.saved import check_saved_plan, read_plan
from reconciler.cli.context import RunContext
from reconciler.cli.environment import max_deletes as deletes_limit
from reconciler.cli.environment import use_environment
from reconciler.cli.saved_environment import (
    check_plan_environment,
    use_journal_environment,
    use_plan_endpoint,
)
from reconciler.cli.session import endpoint_label, execute, load, make_plan, open_client
from reconciler.config.loader import load_config
from reconciler.errors import PlanError
from reconciler.plan.build import check_deletes
from reconciler.plan.model import Plan
from reconciler.plan.rollback import journal_kinds, rollback_plan
from reconciler.report.apply_report import ApplyResult
from reconciler.report.render import closing_line, render_text


async def apply_fresh(run: RunContext, paths: Sequence[str], *, auto_approve: bool, prune: bool,
                      max_deletes: int | None, concurrency: int, fail_fast: bool,
                      ids_out: str | None, only: Sequence[str], takeover: bool,
                      out: TextIO | None = None) -> ApplyResult:
    """`out` (stdout) gets the plan and each outcome; `apply --format json` points it at
    stderr, keeping stdout for the JSON document."""
    out = out or sys.stdout
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if not auto_approve and not interactive:
        raise PlanError("apply off a terminal needs --auto-approve, or a reviewed plan: "
                        "assistants plan --out plan.json, then assistants apply --plan plan.json")
    config, state = load(run, paths)
    async with open_client(run) as client:
        plan = await make_plan(run, client, state, prune=prune, only=only, takeover=takeover)
        render_text(plan, out, color=run.color(out))
        check_deletes(plan, deletes_limit(max_deletes, config))
        if plan.pending and not auto_approve:
            answer = click.prompt("Apply these changes? Only 'yes' is accepted", default="",
                                  show_default=False, err=out is not sys.stdout)
            if answer.strip() != "yes":
                click.echo("Apply cancelled; nothing was written.", file=out)
                return ApplyResult(plan, cancelled=True)
        return await execute(run, plan, client, concurrency=concurrency, fail_fast=fail_fast,
                             ids_out=ids_out, out=out)


async def apply_saved(run: RunContext, plan_file: str, *, max_deletes: int | None,
                      concurrency: int, fail_fast: bool, ids_out: str | None,
                      out: TextIO | None = None) -> ApplyResult:
    out = out or sys.stdout
    plan = read_plan(plan_file)
    check_plan_environment(run, plan, plan_file)
    config = load_config(plan.paths, environment=plan.environment) if plan.paths else None
    if config is not None:
        use_environment(run, config)
    else:
        use_plan_endpoint(run, plan)
    client = open_client(run)
    async with client:
        check_deletes(plan, deletes_limit(max_deletes, config))
        await check_saved_plan(plan, config.config_sha256 if config else None, client,
                               endpoint_label(run, client))
        if not plan.pending:
            click.echo(closing_line(plan), file=out)
        return await execute(run, plan, client, concurrency=concurrency, fail_fast=fail_fast,
                             ids_out=ids_out, out=out)


async def plan_rollback(run: RunContext, journal_file: str) -> Plan:
    journal = read_journal(journal_file)
    use_journal_environment(run, journal, journal_file)
    try:
        kinds = journal_kinds(journal)
    except (KeyError, TypeError, ValueError, AttributeError) as err:  # a damaged journal
        raise _damaged(journal_file, err) from None
    client = open_client(run)
    async with client:
        endpoint = endpoint_label(run, client)
        if journal.get("endpoint") != endpoint:
            raise PlanError(f"{journal_file} was written against {journal.get('endpoint')}, "
                            f"not {endpoint}")
        found = await asyncio.gather(*(client.list_all(kind=kind) for kind in kinds))
    try:
        return rollback_plan(journal, {k.name: objs for k, objs in zip(kinds, found, strict=True)})
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise _damaged(journal_file, err) from None


def _damaged(journal_file: str, err: Exception) -> PlanError:
    return PlanError(f"{journal_file}: not an apply journal this tool wrote "
                     f"({type(err).__name__}: {err})")
