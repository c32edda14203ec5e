"""The environment of a saved plan or an apply journal: it is what was reviewed, so `--env`
may only repeat it, and it decides the endpoint as it did when the plan was made."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from reconciler.cli.context import RunContext
from reconciler.cli.environment import settings_environment
from reconciler.cli.session import LOCAL_ENDPOINT_PREFIX
from reconciler.errors import PlanError
from reconciler.plan.model import Plan


def check_plan_environment(run: RunContext, plan: Plan, plan_file: str) -> None:
    """Refuse `--env` naming another environment than the saved plan's."""
    _same(run, plan.environment, plan_file, "plan")


def use_plan_endpoint(run: RunContext, plan: Plan, plan_file: str,
                      candidates: Sequence[str | None] = ()) -> None:
    """Connect where the saved plan was made (`use_saved_endpoint`)."""
    use_saved_endpoint(run, plan.endpoint, f"{plan_file} was made against", candidates)


def use_saved_endpoint(run: RunContext, endpoint: str, made: str,
                       candidates: Sequence[str | None] = ()) -> None:
    """Connect to `endpoint`, where a saved plan or journal was made (a `local:` one with its
    `--db`); `made` says so in an error ("plan.json was made against"). `--endpoint`,
    `--local` or `--db` may only repeat it. Of the URLs that name the same server
    (`--endpoint`, then `candidates`: the environment's, `ASSISTANTS_ENDPOINT`), the first is
    used as written, so query parameters the plan does not record (`api-version`) still ride."""
    given = _given_endpoint(run)
    if given is not None and given != endpoint:
        flag = "--endpoint" if run.endpoint and not run.local else "--local/--db"
        raise PlanError(f"{flag} points at {given}, but {made} {endpoint}; leave {flag} out "
                        "(the file says where it applies), or plan again against the other "
                        "endpoint")
    if endpoint.startswith(LOCAL_ENDPOINT_PREFIX):
        run.local, run.endpoint = True, None
        run.db = endpoint[len(LOCAL_ENDPOINT_PREFIX):]
        if not run.db_path.is_file():  # a relative --db, from another directory: not it
            raise PlanError(f"{made} {endpoint}, and there is no {run.db} here; run it from "
                            "the directory the plan was made in")
        return
    run.local = False
    for url in (run.endpoint, *candidates, run.env.get("ASSISTANTS_ENDPOINT")):
        if url and same_endpoint(url) == endpoint:
            run.endpoint = url
            return
    run.endpoint = endpoint


def _given_endpoint(run: RunContext) -> str | None:
    """The endpoint the command line names, as a plan records it (None when it names none)."""
    if run.local:
        return f"{LOCAL_ENDPOINT_PREFIX}{run.db_path}"
    return same_endpoint(run.endpoint) if run.endpoint else None


def same_endpoint(url: str) -> str:
    """`url` as a client's `endpoint` (and so a plan) records it: no query, no credentials, no
    trailing slash, the scheme in lower case."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        return url
    host = f"[{host}]" if ":" in host else host
    return urlunsplit((parts.scheme.lower(), host + port, parts.path.rstrip("/"), "", ""))


def use_journal_environment(run: RunContext, journal: dict[str, Any], journal_file: str) -> None:
    """Check `--env` against the journal's environment, and connect where the journal's apply
    did (`use_saved_endpoint`; the environment's endpoint, from the settings at the journal's
    config paths, is used as written when it names that server)."""
    environment = journal.get("environment")
    _same(run, environment, journal_file, "journal")
    candidates: list[str | None] = []
    paths = (journal.get("paths") or ()) if environment is not None else ()
    for path in paths:
        root = Path(path)
        root = root if root.is_dir() else root.parent
        found = settings_environment(RunContext(environment=environment, env=run.env,
                                                  environment_given="ASSISTANTS_ENV"), root)
        if found is not None and found.settings.endpoint:
            candidates.append(found.settings.endpoint)
    if isinstance(journal.get("endpoint"), str):
        use_saved_endpoint(run, journal["endpoint"], f"{journal_file} was written against",
                           candidates)


def _same(run: RunContext, environment: str | None, file: str, what: str) -> None:
    if environment is None and run.environment_given == "ASSISTANTS_ENV":
        return  # a variable set for every job; this plan's config declares no environments
    if run.environment and run.environment != environment:
        made = f"`{environment}`" if environment else "a config without environments"
        raise PlanError(f"{run.environment_given} {run.environment}: {file} is a {what} for {made}; leave --env "
                        f"out (the {what} says where it applies), or plan again with --env "
                        f"{run.environment}")
