"""The `assistants` command line: thin click commands over the engine.

Common options (`--endpoint`, `--local`, `--db`, `--owner`, `--timeout`, `--verbose`,
`--no-color`, and `--help`/`--version`) are accepted after the subcommands that use them
(`options.command_options`, where every `AssistantsError` becomes one line on stderr, exit 1).
"""

from __future__ import annotations

import json
import os
import sys

import click

from reconciler.cli.context import RunContext
from reconciler.cli.help_sections import SectionedCommand, TestingOption
from reconciler.cli.migrate_command import migrate
from reconciler.cli.options import VERSION, command_options

# Exit code 2 means "changes present" here (plan --detailed-exitcode, drift), so a CI job can
# tell drift from a mistyped flag: click's usage errors exit 1 like every other error.
click.exceptions.UsageError.exit_code = 1

PATHS = click.argument("paths", nargs=-1, type=click.Path())


common_options = command_options()
OFFLINE = command_options(network=False, owner=False)
VALIDATE_OPTIONS = command_options(network=False, owner=False, env=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@VERSION
def main() -> None:
    """Assistants and saved agents as code: validate, plan, apply, drift, import, migrate."""


FORMAT_TEXT_JSON = click.option("--format", "fmt", type=click.Choice(["text", "json"]),
                                default="text", show_default=True, help="What to print on stdout.")
FORMAT_PLAN = click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]),
                           default="text", show_default=True, help="What to print on stdout.")


@main.command()
@PATHS
@FORMAT_TEXT_JSON
@VALIDATE_OPTIONS
def validate(run: RunContext, paths: tuple[str, ...], fmt: str) -> None:
    """Check configs offline: schema, API limits, files, variables. Exit 0 valid, 1 invalid."""
    from reconciler.cli.validate_command import validate_command

    validate_command(run, paths, fmt, sys.stdout)


@main.command()
@PATHS
@click.option("--out", "out_file", type=click.Path(dir_okay=False),
              help="Save the plan (JSON) for `apply --plan`.")
@FORMAT_PLAN
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 2 when there are changes, 0 when none, 1 on error.")
@click.option("--prune", is_flag=True, help="Plan deleting this owner's assistants not in the config.")
@click.option("--only", multiple=True, metavar="KEY",
              help="Plan only these keys (repeatable; `agent:KEY` for one kind's).")
@click.option("--takeover", is_flag=True, help="Adopt assistants another owner's marker claims.")
@common_options
def plan(run: RunContext, paths: tuple[str, ...], out_file: str | None, fmt: str,
         detailed_exitcode: bool, prune: bool, only: tuple[str, ...], takeover: bool) -> None:
    """Show what apply would change. Reads the server, writes nothing to it."""
    import asyncio

    from reconciler.cli.environment import max_deletes
    from reconciler.cli.session import plan_paths
    from reconciler.cli.show_command import apply_hint, render_plan

    config, the_plan = asyncio.run(plan_paths(run, paths, prune=prune, only=only,
                                              takeover=takeover))
    if out_file:
        with open(out_file, "w", encoding="utf-8") as handle:
            handle.write(the_plan.to_json())
    render_plan(run, the_plan, fmt, sys.stdout)
    if out_file and fmt == "text":
        click.echo(f"Saved the plan to {out_file}; apply it with: "
                   f"{apply_hint(the_plan, out_file, max_deletes(None, config))}")
    if detailed_exitcode and the_plan.pending:
        sys.exit(2)


@main.command()
@PATHS
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False),
              help="Apply this saved plan (refused if the config or a target changed since).")
@click.option("--auto-approve", is_flag=True, help="Apply without asking (needed off a terminal).")
@click.option("--prune", is_flag=True, help="Delete this owner's assistants not in the config.")
@click.option("--max-deletes", type=click.IntRange(min=0), default=None,
              help="Refuse before any write when more would be deleted [settings, else 0].")
@click.option("--concurrency", type=click.IntRange(1, 64), default=8, show_default=True)
@click.option("--fail-fast", is_flag=True, help="Stop starting changes after the first failure.")
@click.option("--ids-out", type=click.Path(dir_okay=False), help="Write {key: id} JSON here.")
@click.option("--only", multiple=True, metavar="KEY",
              help="Apply only these keys (repeatable; `agent:KEY` for one kind's).")
@click.option("--takeover", is_flag=True, help="Adopt assistants another owner's marker claims.")
@FORMAT_TEXT_JSON
@common_options
def apply(run: RunContext, paths: tuple[str, ...], plan_file: str | None, auto_approve: bool,
          prune: bool, max_deletes: int | None, concurrency: int, fail_fast: bool,
          ids_out: str | None, only: tuple[str, ...], takeover: bool, fmt: str) -> None:
    """Make the server match the config (or a saved plan). Exit 0 when every change succeeded."""
    import asyncio

    from reconciler.cli.apply_command import apply_fresh, apply_saved
    from reconciler.report.apply_report import render_apply_json

    out = sys.stderr if fmt == "json" else sys.stdout  # json: stdout holds the document alone

    if plan_file and (paths or prune or only or takeover):
        raise click.UsageError("--plan applies the saved plan as reviewed: give no PATHS, "
                               "--prune, --only or --takeover with it")
    if plan_file:
        result = asyncio.run(apply_saved(run, plan_file, max_deletes=max_deletes,
                                         concurrency=concurrency, fail_fast=fail_fast,
                                         ids_out=ids_out, out=out))
    else:
        result = asyncio.run(apply_fresh(run, paths, auto_approve=auto_approve, prune=prune,
                                         max_deletes=max_deletes, concurrency=concurrency,
                                         fail_fast=fail_fast, ids_out=ids_out, only=only,
                                         takeover=takeover, out=out))
    if fmt == "json":
        render_apply_json(result, sys.stdout)
    sys.exit(0 if result.ok else 1)


@main.command()
@click.argument("journal", type=click.Path(dir_okay=False))
@click.option("--out", "out_file", type=click.Path(dir_okay=False), required=True,
              help="Where to save the rollback plan, for `apply --plan`.")
@FORMAT_PLAN
@command_options(owner=False)
def rollback(run: RunContext, journal: str, out_file: str, fmt: str) -> None:
    """Plan putting back every assistant and agent an apply touched (from its journal)."""
    import asyncio

    from reconciler.cli.apply_command import plan_rollback
    from reconciler.cli.show_command import apply_hint, render_plan

    the_plan = asyncio.run(plan_rollback(run, journal))
    with open(out_file, "w", encoding="utf-8") as handle:
        handle.write(the_plan.to_json())
    render_plan(run, the_plan, fmt, sys.stdout)
    click.echo(f"Saved the rollback plan to {out_file}; apply it with: "
               f"{apply_hint(the_plan, out_file, 0)}", err=fmt != "text")


@main.command()
@click.argument("plan_file", metavar="PLAN", type=click.Path(dir_okay=False))
@FORMAT_PLAN
@OFFLINE
def show(run: RunContext, plan_file: str, fmt: str) -> None:
    """Render a saved plan (from `plan --out` or `rollback --out`) again. Reads no server."""
    from reconciler.cli.show_command import show_saved

    show_saved(run, plan_file, fmt, sys.stdout)


@main.command()
@PATHS
@FORMAT_PLAN
@click.option("--out", "output", type=click.Path(dir_okay=False),
              help="Also write the report (in --format) to this file.")
@click.option("--output", "output_alias", type=click.Path(dir_okay=False), hidden=True,
              help="Deprecated spelling of --out.")
@common_options
def drift(run: RunContext, paths: tuple[str, ...], fmt: str, output: str | None,
          output_alias: str | None) -> None:
    """Report where the server differs from the config. Exit 0 in sync, 2 drift, 1 error."""
    import asyncio

    if output_alias:
        if output:
            raise click.UsageError("give --out once (--output is its deprecated spelling)")
        click.echo("warning: --output is deprecated; use --out", err=True)
        output = output_alias

    from reconciler.cli.session import plan_paths
    from reconciler.report.drift import (
        DRIFT_RENDERERS,
        DriftReport,
        github_annotations,
        render_drift_markdown,
    )

    config, the_plan = asyncio.run(plan_paths(run, paths, every_kind=True))
    report = DriftReport(
        the_plan,
        declared_ids={(d.kind.name, d.key): d.spec.id for d in config.documents if d.spec.id},
        field_lines={(d.kind.name, d.key): d.field_lines for d in config.documents})
    render = DRIFT_RENDERERS[fmt]
    render(report, sys.stdout)
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            render(report, handle)
    summary = run.env.get("GITHUB_STEP_SUMMARY")
    if summary:  # GitHub Actions shows this file on the run's page
        with open(os.path.expanduser(summary), "a", encoding="utf-8") as handle:
            render_drift_markdown(report, handle)
    for line in github_annotations(report, run.env):
        click.echo(line, err=True)
    sys.exit(2 if report.drifted else 0)


@main.command(name="import")
@click.option("--all", "all_", is_flag=True, help="Import every object of the kind on the server.")
@click.option("--id", "ids", multiple=True, metavar="ID", help="Import this object (repeatable).")
@click.option("--kind", "kind_name", type=click.Choice(["assistant", "agent"]),
              default="assistant", show_default=True, help="The kind of object to import.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="imported",
              show_default=True, help="Directory to write the YAML files into.")
@FORMAT_TEXT_JSON
@common_options
def import_(run: RunContext, all_: bool, ids: tuple[str, ...], out_dir: str, kind_name: str,
            fmt: str) -> None:
    """Write YAML for assistants (or, with --kind agent, saved agents) that already exist.
    Only reads the server."""
    from reconciler.cli.import_command import import_command

    if all_ == bool(ids):
        raise click.UsageError("give --all or at least one --id, not both")
    import_command(run, all_=all_, ids=ids, out_dir=out_dir, kind_name=kind_name, fmt=fmt)


@main.command()
@click.option("--settings", is_flag=True,
              help="The schema of assistants.project.yaml instead of an assistant's.")
@VERSION
def schema(settings: bool) -> None:
    """Print the JSON Schema of the YAML format (for yaml-language-server and editors)."""
    if settings:
        from reconciler.schema.settings import settings_json_schema

        document = settings_json_schema()
    else:
        from reconciler.schema.document import yaml_json_schema

        document = yaml_json_schema()
    click.echo(json.dumps(document, indent=2, sort_keys=False))


@main.command(cls=SectionedCommand)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              help="TCP port; 0 lets the system choose one (the banner on stderr names it).")
@click.option("--api-key", envvar="ASSISTANTS_SERVE_API_KEY", default=None,
              help="Require this key (Bearer or x-portkey-api-key); when unset, requests are "
                   "accepted with any key or none.")
@click.option("--models", default=None, metavar="A,B,...",
              help="Accept only these models (others get OpenAI's 404 model_not_found); "
                   "any model when unset.")
@click.option("--log", "log_path", default=None, type=click.Path(),
              help="Append one JSON line per request to this file.")
@click.option("--keyless", is_flag=True, hidden=True)  # the default now; kept for old scripts
@click.option("--latency-ms", default=0, type=int, cls=TestingOption,
              help="Added latency per request.")
@click.option("--fail-rate", default=0.0, type=float, cls=TestingOption,
              help="Share of requests answered 500 before doing anything.")
@click.option("--fail-after-rate", default=0.0, type=float, cls=TestingOption,
              help="Share of writes performed, then answered 500 (outcome unknown).")
@click.option("--rate-limit-every", default=0, type=int, cls=TestingOption,
              help="Answer every Nth request 429 with Retry-After.")
@click.option("--retry-after-ms", default=1000, type=int, show_default=True, cls=TestingOption,
              help="Delay advertised in the 429 answers.")
@click.option("--seed", default=None, type=int, cls=TestingOption,
              help="Seed for repeatable faults.")
@click.option("--faults-only", "only_query", default=None, metavar="TEXT", cls=TestingOption,
              help="Fail (429/500) only requests whose query holds TEXT, e.g. order=desc.")
@click.option("--skip-paging", is_flag=True, cls=TestingOption,
              help="List cursors compare ids as strings within a second, so pages skip and "
                   "repeat assistants (as some servers do).")
@click.option("--reject-desc", is_flag=True, cls=TestingOption,
              help="Answer order=desc with a 400.")
@click.option("--agent-defaults", default="published", show_default=True, cls=TestingOption,
              type=click.Choice(["published", "shifted", "unresolved"]),
              help="How saved agents' omitted settings are resolved: as OpenAI publishes, "
                   "as another server might, or left null.")
@command_options(network=False, owner=False, db=True)
def serve(run: RunContext, host: str, port: int, api_key: str | None, models: str | None,
          keyless: bool, latency_ms: int, fail_rate: float, fail_after_rate: float,
          rate_limit_every: int, retry_after_ms: int, seed: int | None, only_query: str | None,
          skip_paging: bool, reject_desc: bool, agent_defaults: str,
          log_path: str | None) -> None:
    """Serve the embedded Assistants API, /assistants and /agents, over HTTP (the same SQLite
    store as --local)."""
    from assistants.local.faults import Faults
    from assistants.local.server import run_server

    allowed = frozenset(m.strip() for m in models.split(",") if m.strip()) if models else None
    if models is not None and not allowed:
        raise click.BadParameter("name at least one model", param_hint="--models")
    if keyless and api_key:
        raise click.UsageError("--keyless accepts requests without a key; --api-key requires one")
    faults = Faults(latency_ms=latency_ms, fail_rate=fail_rate, fail_after_rate=fail_after_rate,
                    rate_limit_every=rate_limit_every, retry_after_ms=retry_after_ms, seed=seed,
                    only_query=only_query, skip_paging=skip_paging, reject_desc=reject_desc,
                    agent_defaults=agent_defaults)
    run_server(host=host, port=port, db=run.db_path, api_key=api_key, faults=faults,
               log_path=log_path, models=allowed)


main.add_command(migrate)


def entry_point() -> None:
    """The `assistants` console script."""
    main()


if __name__ == "__main__":  # pragma: no cover
    entry_point()
