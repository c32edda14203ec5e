"""What one invocation of the tool runs with: where it connects, who owns, how it prints."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from reconciler.errors import Problem
from reconciler.report.annotations import github_command

DEFAULT_DB = Path(".assistants") / "local.db"


@dataclass
class RunContext:
    endpoint: str | None = None  # --endpoint, or the environment's (environment.py)
    local: bool = False
    db: str | None = None
    owner: str | None = None  # --owner (ASSISTANTS_OWNER is read in environment.py)
    environment: str | None = None  # --env, else ASSISTANTS_ENV (choose_environment)
    environment_given: str = "--env"  # which of the two named it, for messages
    timeout: float = 30.0
    verbose: bool = False
    no_color: bool = False
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    noted: set[str] = field(default_factory=set, repr=False, compare=False)  # see note_once

    def choose_environment(self, flag: str | None) -> None:
        """`--env`, else `ASSISTANTS_ENV`. The variable may be set for a whole CI job: for a
        config that declares no environments it is just a variable (environments.select)."""
        if flag:
            self.environment, self.environment_given = flag, "--env"
        elif self.env.get("ASSISTANTS_ENV"):
            self.environment, self.environment_given = self.env["ASSISTANTS_ENV"], "ASSISTANTS_ENV"

    @property
    def db_path(self) -> Path:
        return Path(self.db) if self.db else DEFAULT_DB

    def color(self, stream: TextIO | None = None) -> bool:
        """Colour only on a TTY, never with --no-color or NO_COLOR (any value)."""
        stream = stream or sys.stdout
        if self.no_color or "NO_COLOR" in self.env:
            return False
        return bool(getattr(stream, "isatty", lambda: False)())

    def progress(self, line: str) -> None:
        """A progress line on stderr, on a terminal only (CI logs stay clean)."""
        if self.verbose or sys.stderr.isatty():
            print(line, file=sys.stderr, flush=True)

    def note_once(self, line: str) -> None:
        """`note: line` on stderr, once per run however often the step saying it runs."""
        if line not in self.noted:
            self.noted.add(line)
            print(f"note: {line}", file=sys.stderr, flush=True)

    def apply_progress(self, total: int, stream: TextIO | None = None) -> Progress:
        """A compact `[done/total]` line for applies of many changes, redrawn in place on
        stderr; on a terminal only (CI logs stay clean) and only from `PROGRESS_MIN` changes."""
        stream = stream or sys.stderr
        tty = bool(getattr(stream, "isatty", lambda: False)())
        return Progress(total, stream, active=tty and total >= PROGRESS_MIN)

    @property
    def on_github(self) -> bool:
        return self.env.get("GITHUB_ACTIONS") == "true"

    def annotate_problems(self, problems: list[Problem]) -> None:
        """On GitHub Actions, repeat config errors as workflow annotations."""
        if not self.on_github:
            return
        for problem in problems:
            print(github_command("error", problem.message, problem.path, problem.line),
                  file=sys.stderr)


PROGRESS_MIN = 20
"""Fewer changes than this finish too fast for a progress line to help."""


class Progress:
    """`[120/500] 24%, 1 failed` on one terminal line. Call `clear()` before printing anything
    else to the terminal, `step(ok)` after each change, `close()` at the end; all no-ops when
    inactive (not a terminal, or few changes)."""

    def __init__(self, total: int, stream: TextIO, *, active: bool):
        self.total, self.stream, self.active = total, stream, active
        self.done = self.failed = 0
        self._drawn = False

    def step(self, ok: bool = True) -> None:
        self.done += 1
        self.failed += not ok
        if self.active:
            from reconciler.report.render import progress_line

            self.stream.write(f"\r{progress_line(self.done, self.total, self.failed)}\x1b[K")
            self.stream.flush()
            self._drawn = True

    def clear(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False

    def close(self) -> None:
        self.clear()
