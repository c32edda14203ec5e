"""The `validate` command: load the config as a plan would (in every environment it declares,
without `--env`), and report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from reconciler.cli.context import RunContext
from reconciler.errors import ConfigError, Problem
from reconciler.report.error_report import error_document
from reconciler.report.validate_report import render_validate_json
from reconciler.words import count_kinds


def validate_command(run: RunContext, paths: Sequence[str], fmt: str, out: TextIO) -> None:
    """Load as a plan would; with `fmt` json the document goes to `out` whether or not the
    config is valid, and a `ConfigError` still ends the command (exit 1, lines on stderr)."""
    from reconciler.config.loader import declared_environments, load_config

    paths = paths or (".",)
    try:
        declared = declared_environments(paths)
        names: list[str | None] = ([run.environment] if run.environment
                                   else list(declared or [None]))
    except ConfigError as err:
        if fmt == "json":
            _failed_json(err, err.problems, None, out)
        raise
    counts: dict[str | None, int] = {}
    kinds: list[str] = []  # of every document, in every environment
    found: dict[str | None, list[Problem]] = {}
    where = ""
    for name in names:
        try:
            config = load_config(paths, environment=name, named_by=run.environment_given)
        except ConfigError as err:
            found[name] = err.problems
        else:
            counts[name] = len(config.documents)
            kinds += [d.kind.name for d in config.documents]
            where = ", ".join(config.paths)
    if found:
        problems, envs = _tagged(names, found)
        error = ConfigError([_named(p, e) for p, e in zip(problems, envs, strict=True)])
        if fmt == "json":
            _failed_json(error, problems, envs, out)
        raise error
    if fmt == "json":
        render_validate_json(kinds, [], out)
        return
    if names == [None]:
        out.write(f"Valid: {count_kinds(kinds)} in {where}\n")
        return
    each = ", ".join(f"{n}: {c}" for n, c in counts.items())
    out.write(f"Valid: {count_kinds(kinds)} in {where} ({each})\n")


def _failed_json(err: ConfigError, problems: list[Problem], envs: list[str | None] | None,
                 out: TextIO) -> None:
    """The verdict with the error in one document: `{"valid": false, ..., "error": {...}}`."""
    render_validate_json([], problems, out, envs, error=error_document(err)["error"])
    err.reported_as_json = True  # type: ignore[attr-defined]  # options._json_error


def _tagged(names: list[str | None], found: dict[str | None, list[Problem]]
            ) -> tuple[list[Problem], list[str | None]]:
    """Every problem once, with the environment it concerns: None when every environment has
    it (a YAML error, a bad key), so that it is reported once, not once per environment."""
    problems: list[Problem] = []
    envs: list[str | None] = []
    everywhere = len(found) == len(names)
    for name in names:
        for problem in found.get(name, []):
            shared = everywhere and all(problem in found[n] for n in names)
            if shared and problem in problems:
                continue
            problems.append(problem)
            envs.append(None if shared else name)
    return problems, envs


def _named(problem: Problem, env: str | None) -> Problem:
    if env is None:
        return problem
    return Problem(problem.path, problem.line, problem.col,
                   f"{problem.message} (environment `{env}`)")
