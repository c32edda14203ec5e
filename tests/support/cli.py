"""Run the `assistants` command in process, as a user would from a shell."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from reconciler.cli.main import main
from reconciler.cli.pacing import NO_WAIT_VARIABLE

NO_WAIT = {NO_WAIT_VARIABLE: "1"}
"""The environment a test adds to a command it runs so that nothing waits on the clock."""


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(args: Sequence[str], *, env: Mapping[str, str] | None = None,
            cwd: Path | None = None, input: str | None = None) -> Run:
    """Invoke the CLI; `env` is added to a clean copy of the environment (credentials and
    endpoint variables of the caller's shell are removed first). Retries and apply's settling
    step do not wait (`NO_WAIT`, reconciler/cli/pacing.py) unless `env` sets
    `ASSISTANTS_TEST_NO_WAIT` to "" (two applies racing need the real settling wait)."""
    clean = {k: None for k in os.environ if k.startswith(("PORTKEY_", "OPENAI_", "ASSISTANTS_",
                                                           "GITHUB_"))}
    runner = CliRunner()
    old = Path.cwd()
    try:
        if cwd:
            os.chdir(cwd)
        result = runner.invoke(main, list(args), env={**clean, **NO_WAIT, **(env or {})},
                               input=input,
                               catch_exceptions=True)
    finally:
        os.chdir(old)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "internal error" not in result.stderr, result.stderr  # a bug, whatever the test says
    return Run(result.exit_code, result.stdout, result.stderr)
