"""The `migrate` command: agent documents from assistant documents, and the loss report.
Exit 0 when nothing was lost, 2 when anything was (success: look at the report), 1 on error;
with `--format json` an error is also one JSON document on stdout (cli/options.py)."""

from __future__ import annotations

import sys

import click

from reconciler.cli.context import RunContext
from reconciler.cli.options import command_options
from reconciler.errors import ConfigError


def parse_models(values: tuple[str, ...]) -> dict[str, str]:
    """`--model OLD=NEW` (repeatable) as {OLD: NEW}; a bad form is an error naming the flag."""
    models: dict[str, str] = {}
    for value in values:
        old, sep, new = value.partition("=")
        old, new = old.strip(), new.strip()
        if not sep or not old or not new:
            raise ConfigError(f"--model {value}: expected OLD=NEW, e.g. --model gpt-4o=gpt-4.1")
        if models.get(old, new) != new:
            raise ConfigError(f"--model {value}: {old} is already mapped to {models[old]}")
        models[old] = new
    return models


@click.command()
@click.argument("path", default=".", type=click.Path())
@click.option("--out", "out_dir", required=True, type=click.Path(), metavar="DIR",
              help="Directory for the agent documents (mirrors PATH's layout); inside PATH "
                   "to load them beside the assistants.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True, help="What to print on stdout.")
@click.option("--force", is_flag=True, help="Replace files that already exist under DIR.")
@click.option("--model", "models", multiple=True, metavar="OLD=NEW",
              help="Write model NEW where the assistant has OLD (repeatable).")
@command_options(network=False, owner=False, env=True)
def migrate(run: RunContext, path: str, out_dir: str, fmt: str, force: bool,
            models: tuple[str, ...]) -> None:
    """Write agent documents for the assistant documents under PATH, and report what has no
    agent equivalent. Exit 0 lossless, 2 lossy, 1 error."""
    from reconciler.migrate.render import RENDERERS
    from reconciler.migrate.run import Request
    from reconciler.migrate.run import migrate as run_migration

    request = Request(path, out_dir, force=force, models=parse_models(models),
                      environment=run.environment, named_by=run.environment_given)
    report = run_migration(request, run.env)  # an error: one line, and JSON with --format json
    RENDERERS[fmt](report, sys.stdout)
    for line in report.skipped:
        click.echo(f"warning: {line}", err=True)
    if fmt == "text" and report.files_written:
        click.echo(f"Next: review {out_dir}, then assistants validate {report.root} and "
                   f"assistants plan {report.root} (docs/migration.md)", err=True)
    sys.stdout.flush()
    sys.exit(2 if report.lossy else 0)
