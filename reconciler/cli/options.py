"""The options every subcommand shares, gathered into a `RunContext`, and the one place where
an error becomes a line on stderr and an exit code."""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

import click

from assistants import __version__
from assistants.errors import AssistantsError
from reconciler.cli.context import RunContext
from reconciler.errors import ConfigError

VERSION = click.version_option(__version__, "--version", prog_name="assistants")


def command_options(*, network: bool = True, owner: bool = True, db: bool | None = None,
                    env: bool | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The common options a subcommand uses, gathered into a `RunContext` passed as `run`.

    `network`: `--endpoint`, `--local`, `--db`, `--timeout`; `db` alone (for `serve`) when
    `network` is off; `owner`: `--owner`; `env`: `--env` (with `network` unless said).
    Every command gets `--verbose` and `--no-color`."""
    with_db = network if db is None else db
    with_env = network if env is None else env
    chosen = [
        (network, click.option("--endpoint", metavar="URL",
                               help="Assistants API base URL [env ASSISTANTS_ENDPOINT; default "
                                    "Portkey].")),
        (network, click.option("--local", "local", is_flag=True,
                               help="Use the embedded Assistants API in process (SQLite, see "
                                    "--db).")),
        (with_db, click.option("--db", "db", metavar="PATH", default=None,
                               help="SQLite file of the embedded API [default "
                                    ".assistants/local.db].")),
        (with_env, click.option("--env", "environment", metavar="NAME",
                                help="Environment of the settings file to use [env "
                                     "ASSISTANTS_ENV].")),
        (owner, click.option("--owner", metavar="NAME",
                             help="Owner written in the ownership marker [env "
                                  "ASSISTANTS_OWNER].")),
        (network, click.option("--timeout", envvar="ASSISTANTS_TIMEOUT",
                               type=click.FloatRange(min=0.1), default=30.0, show_default=True,
                               metavar="SECONDS", help="Per-request timeout [env "
                                                       "ASSISTANTS_TIMEOUT].")),
        (True, click.option("-v", "--verbose", is_flag=True,
                            help="Log requests, credentials used and the trace id to stderr.")),
        (True, click.option("--no-color", is_flag=True,
                            help="Never colour the output (also NO_COLOR).")),
    ]

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(verbose: bool, no_color: bool, endpoint: str | None = None,
                    local: bool = False, db: str | None = None, owner: str | None = None,
                    timeout: float = 30.0, environment: str | None = None,
                    **kwargs: Any) -> Any:
            run = RunContext(endpoint=endpoint, local=local or db is not None, db=db,
                             owner=owner, timeout=timeout, verbose=verbose,
                             no_color=no_color)
            run.choose_environment(environment)
            return _reported(run, func, kwargs)

        for wanted, option in reversed(chosen):
            if wanted:
                wrapper = option(wrapper)
        return VERSION(wrapper)

    return decorate


def _reported(run: RunContext, func: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    """Run a command: every `AssistantsError` becomes one line on stderr and exit 1."""
    try:
        result = func(run=run, **kwargs)
        sys.stdout.flush()  # inside the try: a reader that left is met here, not at exit
        return result
    except ConfigError as err:
        for problem in err.problems:
            click.echo(f"error: {problem}", err=True)
        run.annotate_problems(err.problems)
        sys.exit(1)
    except AssistantsError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(1)
    except (click.exceptions.Exit, click.ClickException, click.Abort):
        raise
    except BrokenPipeError:  # `assistants plan | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except Exception as err:  # a bug: one line for the user, the traceback with --verbose
        if run.verbose:
            traceback.print_exc()
        click.echo(f"error: internal error ({type(err).__name__}); this is a bug in "
                   "assistants-reconciler: please report it with the --verbose output",
                   err=True)
        sys.exit(1)
