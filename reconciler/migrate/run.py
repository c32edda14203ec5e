"""The migration: validate PATH with the project's loader, map every assistant document under
it, and write the agent documents under DIR; nothing is written when any input is invalid, a
rewritten path would leave the agents' config root, or a file exists (without `--force`)."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.error import YAMLError

from reconciler.config.settings import SETTINGS_FILE
from reconciler.config.yaml_source import display_path
from reconciler.errors import ConfigError, Problem
from reconciler.migrate.findings import Migrated, Report
from reconciler.migrate.layout import (
    Layout,
    Rewriter,
    choose_layout,
    rewrite_modeline,
    source_files,
)
from reconciler.migrate.mapping import Mapper
from reconciler.migrate.yaml_edit import round_trip


@dataclass(frozen=True)
class Request:
    """What `assistants migrate` was asked: PATH, `--out`, `--force`, `--model`, `--env`."""

    path: str
    out: str
    force: bool = False
    models: Mapping[str, str] = field(default_factory=dict)
    environment: str | None = None
    named_by: str = "--env"


@dataclass(frozen=True)
class Output:
    """One file to write and the documents it holds."""

    path: Path
    text: str
    migrated: tuple[Migrated, ...] = ()


def migrate(request: Request, env: Mapping[str, str] | None = None) -> Report:
    """Validate, map, check, write; a `ConfigError` (nothing written) on any problem."""
    layout = choose_layout(request.path, request.out)
    validate(request, os.environ if env is None else env)
    outputs, skipped = map_files(layout, request.models)
    settings = layout.source / SETTINGS_FILE
    if not layout.beside and settings.is_file():
        outputs.append(Output(layout.out / SETTINGS_FILE, settings.read_text(encoding="utf-8")))
    changed = _check_targets(outputs, request.force)
    _write(changed)
    migrated = tuple(m for output in outputs for m in output.migrated)
    return Report(migrated, tuple(display_path(o.path) for o in changed), tuple(skipped),
                  root=display_path(layout.load_root))


def _write(outputs: list[Output]) -> None:
    for output in outputs:
        try:
            output.path.parent.mkdir(parents=True, exist_ok=True)
            output.path.write_text(output.text, encoding="utf-8")
        except OSError as err:
            raise ConfigError(Problem(display_path(output.path), 0, 0, "cannot be written: "
                                      f"{err.strerror or err}")) from None


def validate(request: Request, env: Mapping[str, str]) -> None:
    """Load PATH as `validate` would (in `--env`, else in every declared environment)."""
    from reconciler.config.loader import declared_environments, load_config

    paths = [request.path]
    declared = declared_environments(paths, env=env)
    names: list[str | None] = ([request.environment] if request.environment
                               else list(declared or [None]))
    problems: dict[Problem, None] = {}
    for name in names:
        try:
            load_config(paths, env=env, environment=name, named_by=request.named_by)
        except ConfigError as err:
            problems.update(dict.fromkeys(err.problems))
    if problems:
        raise ConfigError(list(problems))


def map_files(layout: Layout, models: Mapping[str, str]) -> tuple[list[Output], list[str]]:
    """The agent file of every file of assistant documents under PATH (data files that
    documents name, and files of agents only, left out), and the documents skipped."""
    parsed = [(file, *_parse(file)) for file in source_files(layout)]
    data = {target for file, _, _, docs in parsed for target in _data_refs(file, docs)}
    outputs: list[Output] = []
    skipped: list[str] = []
    problems: list[Problem] = []
    for file, text, yaml, docs in parsed:
        if _absolute(file) in data:
            continue
        target = layout.target(file)
        rewrite = Rewriter(layout, file, target)
        mapper = Mapper(rewrite, models)
        kept: list[Any] = []
        migrated: list[Migrated] = []
        for doc in docs:
            if not isinstance(doc, dict):
                continue
            line = doc.lc.line + 1
            if doc.get("kind", "assistant") != "assistant":
                skipped.append(f"{display_path(file)}:{line}: kind {doc.get('kind')}, not an "
                               "assistant: left out")
                continue
            rewrite.line = line
            findings = mapper.document(doc)
            kept.append(doc)
            migrated.append(Migrated(str(doc.get("key")), f"{display_path(file)}:{line}",
                                     display_path(target), findings))
        problems.extend(rewrite.problems)
        if kept:
            yaml.explicit_start = _explicit_start(text)
            buffer = io.StringIO()
            yaml.dump_all(kept, buffer)
            text_out = rewrite_modeline(buffer.getvalue(), file, target)
            outputs.append(Output(target, text_out, tuple(migrated)))
    if problems:
        raise ConfigError(problems)
    return outputs, skipped


def _parse(file: Path) -> tuple[str, Any, list[Any]]:
    text = file.read_text(encoding="utf-8")
    try:
        yaml, docs = round_trip(text)
    except YAMLError as err:  # the loader has read it: the two readers disagree
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        message = f"cannot be read for migration: {err}".splitlines()[0]
        raise ConfigError(Problem(display_path(file), line, 1 if line else 0, message)) from None
    return text, yaml, docs


def _data_refs(file: Path, docs: Sequence[Any]) -> set[str]:
    """The files that `file`'s documents read as data (parameters, schemas, fleet items):
    the loader does not read those as documents, and neither does migrate."""
    found: set[str] = set()
    for doc in docs:
        if not isinstance(doc, dict):
            continue
        overrides = doc.get("overrides")
        parts = [doc, *(o for o in (overrides or {}).values() if isinstance(o, dict))] \
            if isinstance(overrides, dict) else [doc]
        for part in parts:
            for ref in _structured_refs(part):
                if isinstance(ref, str) and ref and not os.path.isabs(ref):
                    found.add(os.path.normpath(os.path.join(_absolute(file.parent), ref)))
    return found


def _structured_refs(doc: Mapping[str, Any]) -> list[Any]:
    refs = [doc.get("for_each_file")]
    for tool in doc.get("tools") or []:
        function = tool.get("function") if isinstance(tool, dict) else None
        if isinstance(function, dict):
            refs.append(function.get("parameters_file"))
    response_format = doc.get("response_format")
    if isinstance(response_format, dict) and isinstance(response_format.get("json_schema"),
                                                        dict):
        refs.append(response_format["json_schema"].get("schema_file"))
    return refs


def _check_targets(outputs: list[Output], force: bool) -> list[Output]:
    """The outputs to write: a file that already holds the same text is left alone; another
    existing file is an error without `--force`."""
    changed: list[Output] = []
    problems: list[Problem] = []
    for output in outputs:
        path = output.path
        if path.is_dir():
            problems.append(Problem(display_path(path), 0, 0, "is a directory, where migrate "
                                                              "would write a file"))
        elif not path.exists():
            changed.append(output)
        elif path.read_text(encoding="utf-8", errors="replace") == output.text:
            continue
        elif force:
            changed.append(output)
        else:
            problems.append(Problem(display_path(path), 0, 0, "exists and differs from what "
                                    "migrate would write; nothing was written (pass --force "
                                    "to replace it)"))
    if problems:
        raise ConfigError(problems)
    return changed


_START = re.compile(r"\A(?:\s*#[^\n]*\n|\s*\n)*---", re.MULTILINE)


def _explicit_start(text: str) -> bool:
    """Whether the first document of `text` opens with `---` (after comments)."""
    return bool(_START.match(text))


def _absolute(path: Path) -> str:
    return os.path.normpath(os.path.abspath(path))
