"""The environment of a saved plan or an apply journal: it is what was reviewed, so `--env`
may only repeat it, and it decides the endpoint as it did when the plan was made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reconciler.cli.context import RunContext
from reconciler.cli.environment import settings_environment
from reconciler.cli.session import LOCAL_ENDPOINT_PREFIX
from reconciler.errors import PlanError
from reconciler.plan.model import Plan


def check_plan_environment(run: RunContext, plan: Plan, plan_file: str) -> None:
    """Refuse `--env` naming another environment than the saved plan's."""
    _same(run, plan.environment, plan_file, "plan")


def use_plan_endpoint(run: RunContext, plan: Plan) -> None:
    """A plan of an environment that names no config (a rollback plan) goes where it was
    made, unless `--endpoint` or `--local` say otherwise."""
    if plan.environment and not (run.endpoint or run.local):
        if not plan.endpoint.startswith(LOCAL_ENDPOINT_PREFIX):
            run.endpoint = plan.endpoint


def use_journal_environment(run: RunContext, journal: dict[str, Any], journal_file: str) -> None:
    """Check `--env` against the journal's environment, and connect where that environment
    does (its settings, read from the journal's config paths) unless `--endpoint` says."""
    environment = journal.get("environment")
    _same(run, environment, journal_file, "journal")
    if environment is None or run.endpoint or run.local:
        return
    for path in journal.get("paths") or ():
        root = Path(path)
        root = root if root.is_dir() else root.parent
        found = settings_environment(RunContext(environment=environment, env=run.env,
                                                  environment_given="ASSISTANTS_ENV"), root)
        if found is not None and found.settings.endpoint:
            run.endpoint = found.settings.endpoint
            return


def _same(run: RunContext, environment: str | None, file: str, what: str) -> None:
    if environment is None and run.environment_given == "ASSISTANTS_ENV":
        return  # a variable set for every job; this plan's config declares no environments
    if run.environment and run.environment != environment:
        made = f"`{environment}`" if environment else "a config without environments"
        raise PlanError(f"{run.environment_given} {run.environment}: {file} is a {what} for {made}; leave --env "
                        f"out (the {what} says where it applies), or plan again with --env "
                        f"{run.environment}")
