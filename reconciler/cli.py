"""The `assistants` command line: thin click commands over the engine.

Common options (`--endpoint`, `--local`, `--db`, `--owner`, `--verbose`, `--no-color`) are
accepted after any subcommand. Every `AssistantsError` becomes one line on stderr and exit 1.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any

import click

from assistants import __version__
from assistants.errors import AssistantsError, ConfigError
from reconciler.context import RunContext

PATHS = click.argument("paths", nargs=-1, type=click.Path())


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options every subcommand takes, gathered into a `RunContext` passed as `run`."""

    @click.option("--endpoint", envvar="ASSISTANTS_ENDPOINT", metavar="URL",
                  help="Assistants API base URL [env ASSISTANTS_ENDPOINT; default Portkey].")
    @click.option("--local", "local", is_flag=True,
                  help="Use the embedded Assistants API in process (SQLite, see --db).")
    @click.option("--db", "db", metavar="PATH", default=None,
                  help="SQLite file of the embedded API [default .assistants/local.db].")
    @click.option("--owner", envvar="ASSISTANTS_OWNER", metavar="NAME",
                  help="Owner written in the ownership marker [env ASSISTANTS_OWNER].")
    @click.option("-v", "--verbose", is_flag=True, help="Log requests and the trace id to stderr.")
    @click.option("--no-color", is_flag=True, help="Never colour the output (also NO_COLOR).")
    @functools.wraps(func)
    def wrapper(endpoint, local, db, owner, verbose, no_color, **kwargs):
        run = RunContext(endpoint=endpoint, local=local or db is not None, db=db, owner=owner,
                         verbose=verbose, no_color=no_color)
        try:
            return func(run=run, **kwargs)
        except ConfigError as err:
            for problem in err.problems:
                click.echo(f"error: {problem}", err=True)
            run.annotate_problems(err.problems)
            sys.exit(1)
        except AssistantsError as err:
            click.echo(f"error: {err}", err=True)
            sys.exit(1)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="assistants")
def main() -> None:
    """Assistants as code: validate, plan, apply, drift, import."""


@main.command()
@PATHS
@common_options
def validate(run: RunContext, paths: tuple[str, ...]) -> None:
    """Check configs offline: schema, API limits, files, variables. Exit 0 valid, 1 invalid."""
    from reconciler.loader import load_config

    config = load_config(paths or (".",))
    count = len(config.assistants)
    click.echo(f"{count} assistant{'s' if count != 1 else ''} valid in {', '.join(config.paths)}.")


@main.command()
def schema() -> None:
    """Print the JSON Schema of the YAML format (for yaml-language-server and editors)."""
    from reconciler.schema import yaml_json_schema

    click.echo(json.dumps(yaml_json_schema(), indent=2, sort_keys=False))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--api-key", envvar="ASSISTANTS_SERVE_API_KEY", default=None,
              help="Require this key (Bearer or x-portkey-api-key); any key when unset.")
@click.option("--latency-ms", default=0, type=int, help="Added latency per request.")
@click.option("--fail-rate", default=0.0, type=float,
              help="Share of requests answered 500 before doing anything.")
@click.option("--fail-after-rate", default=0.0, type=float,
              help="Share of writes performed, then answered 500 (outcome unknown).")
@click.option("--rate-limit-every", default=0, type=int,
              help="Answer every Nth request 429 with Retry-After.")
@click.option("--retry-after-ms", default=1000, type=int, show_default=True,
              help="Delay advertised in the 429 answers.")
@click.option("--seed", default=None, type=int, help="Seed for repeatable faults.")
@click.option("--log", "log_path", default=None, type=click.Path(),
              help="Append one JSON line per request to this file.")
@common_options
def serve(run: RunContext, host: str, port: int, api_key: str | None, latency_ms: int,
          fail_rate: float, fail_after_rate: float, rate_limit_every: int,
          retry_after_ms: int, seed: int | None, log_path: str | None) -> None:
    """Serve the embedded Assistants API over HTTP (the same SQLite store as --local)."""
    from assistants.local.faults import Faults
    from assistants.local.server import run_server

    faults = Faults(latency_ms=latency_ms, fail_rate=fail_rate, fail_after_rate=fail_after_rate,
                    rate_limit_every=rate_limit_every, retry_after_ms=retry_after_ms, seed=seed)
    run_server(host=host, port=port, db=run.db_path, api_key=api_key, faults=faults,
               log_path=log_path)


if __name__ == "__main__":  # pragma: no cover
    main()
