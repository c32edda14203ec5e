"""What one invocation of the tool runs with: where it connects, who owns, how it prints."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from assistants.errors import Problem

DEFAULT_DB = Path(".assistants") / "local.db"


@dataclass
class RunContext:
    endpoint: str | None = None
    local: bool = False
    db: str | None = None
    owner: str | None = None
    timeout: float = 30.0
    verbose: bool = False
    no_color: bool = False
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))

    @property
    def db_path(self) -> Path:
        return Path(self.db) if self.db else DEFAULT_DB

    def color(self, stream=None) -> bool:
        """Colour only on a TTY, never with --no-color or NO_COLOR (any value)."""
        stream = stream or sys.stdout
        if self.no_color or "NO_COLOR" in self.env:
            return False
        return bool(getattr(stream, "isatty", lambda: False)())

    def progress(self, line: str) -> None:
        """A progress line on stderr, on a terminal only (CI logs stay clean)."""
        if self.verbose or sys.stderr.isatty():
            print(line, file=sys.stderr, flush=True)

    def annotate_problems(self, problems: list[Problem]) -> None:
        """On GitHub Actions, repeat config errors as workflow annotations."""
        if self.env.get("GITHUB_ACTIONS") != "true":
            return
        for problem in problems:
            print(f"::error file={problem.path},line={problem.line or 1}::{problem.message}",
                  file=sys.stderr)
