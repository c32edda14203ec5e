"""The reconciler's errors, below the API side's `AssistantsError` (assistants/errors.py), so
that the CLI prints any of them as one line and exits 1:

    AssistantsError                 assistants/errors.py: the API side's tree
    ├── ConfigError                 bad input; `.problems` lists every `path:line:col: message`
    └── PlanError                   a plan cannot be made, loaded or applied as asked
        ├── StalePlanError          a saved plan no longer matches the config or the live world
        └── TooManyDeletesError     deletes exceed `--max-deletes` (checked before any write)
"""

from __future__ import annotations

from dataclasses import dataclass

from assistants.errors import AssistantsError


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.col}: {self.message}"
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigError(AssistantsError):
    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem("", 0, 0, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = sorted(problems)
        first = str(self.problems[0]) if self.problems else "invalid configuration"
        more = len(self.problems) - 1
        super().__init__(first if not more else f"{first} (and {more} more)")


class PlanError(AssistantsError):
    pass


class StalePlanError(PlanError):
    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__("saved plan is stale, nothing was written: " + "; ".join(reasons))


class TooManyDeletesError(PlanError):
    def __init__(self, count: int, limit: int):
        self.count, self.limit = count, limit
        super().__init__(
            f"plan deletes {count} assistant(s) but --max-deletes is {limit}; nothing was written "
            f"(raise --max-deletes or max_deletes in the project settings to allow it)"
        )
