"""Reading YAML safely and remembering where every value came from.

`read_text` checks a file before anyone parses it (size, NUL bytes, UTF-8). `parse_documents`
turns the text into plain Python values (dict, list, str, int, float, bool, None) and a map from
each value's path (`("tools", 0, "function", "name")`) to the line and column of its key and of
its value, so that later errors can point at `file:line:col`. It is the one YAML reader: config
files, referenced YAML files, settings, and (`load_yaml_documents`) import and drift.

Safety, beyond `yaml.SafeLoader`:
- duplicate mapping keys are errors (PyYAML keeps the last one silently);
- alias expansion is bounded: every alias adds the size of the node it names to a running count,
  and a document whose aliases expand past `MAX_ALIAS_NODES` nodes is rejected while it is being
  composed (a "billion laughs" file fails in milliseconds), as are recursive aliases;
- only the standard scalar tags are accepted; timestamps stay strings (as in YAML 1.2).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import ScalarNode

from reconciler.config.yaml_build import Builder
from reconciler.config.yaml_loaders import AliasError, BoundedLoader
from reconciler.config.yaml_marks import (
    TAG,
    DataPath,
    Located,
    Mark,
    mark_of,
)
from reconciler.errors import ConfigError, Problem

MAX_FILE_BYTES = 1024 * 1024
"""Largest YAML or referenced file read (1 MiB)."""


@dataclass
class YamlDocument:
    """One YAML document: its data, where each value came from, and where it starts."""

    path: str  # as shown in messages
    file: Path
    data: Any
    start: Mark
    marks: dict[DataPath, Located] = field(default_factory=dict)

    def link_mark(self, target: DataPath, origin: DataPath) -> None:
        """Locate `target` where `origin` is (a `*_file` key replaced by its content)."""
        located = self.marks.get(origin)
        if located is not None:
            self.marks[target] = located

    def mark(self, path: DataPath, *, key: bool = False) -> Mark:
        """The mark of `path`, or of its nearest ancestor that has one."""
        while path:
            located = self.marks.get(path)
            if located is not None:
                return (located.key or located.value) if key else located.value
            path = path[:-1]
        return self.start

    def problem(self, path: DataPath, message: str, *, key: bool = False) -> Problem:
        mark = self.mark(path, key=key)
        return Problem(self.path, mark.line, mark.col, message)


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the current directory when under it."""
    if os.name == "posix":  # the same as below, without building Path objects
        absolute_text = os.path.abspath(path)
        cwd = os.getcwd()
        if absolute_text == cwd:
            return "."
        if absolute_text.startswith(cwd if cwd.endswith("/") else cwd + "/"):
            return absolute_text[len(cwd):].lstrip("/")
        return absolute_text
    absolute = Path(os.path.abspath(path))  # pragma: no cover - Windows
    try:  # pragma: no cover
        return absolute.relative_to(Path.cwd()).as_posix() or "."
    except ValueError:  # pragma: no cover
        return absolute.as_posix()


def read_text(file: Path, display: str) -> tuple[str | None, list[Problem]]:
    """The file's text, or the reasons it cannot be read as a small UTF-8 text file."""
    try:
        raw, size = _read_bytes(file)
    except OSError as err:
        return None, [_whole(display, f"cannot read file: {err.strerror or err}")]
    if raw is None:
        return None, [_whole(display, f"file is {size:,} bytes; the limit is "
                                      f"{MAX_FILE_BYTES:,} bytes (1 MiB)")]
    if len(raw) > MAX_FILE_BYTES:  # grew since stat
        return None, [_whole(display, f"file is over {MAX_FILE_BYTES:,} bytes (1 MiB)")]
    nul = raw.find(b"\0")
    if nul >= 0:
        line, col = _offset_mark(raw, nul)
        return None, [Problem(display, line, col, "binary file (NUL byte); expected UTF-8 text")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line, col = _offset_mark(raw, err.start)
        return None, [Problem(display, line, col,
                              f"not UTF-8 text (byte 0x{raw[err.start]:02x}); save it as UTF-8")]
    return text.removeprefix("\ufeff"), []


def _read_bytes(file: Path) -> tuple[bytes | None, int]:
    """The file's bytes (up to one past the limit; None when its size is over it) and its size
    (opening a directory fails with "Is a directory", whatever its size)."""
    with open(file, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > MAX_FILE_BYTES:
            return None, size
        raw = handle.read(size + 1)  # a buffer of the size it says, not of the limit
        if len(raw) > size:  # it grew since, or says 0 bytes: read on, to one past the limit
            raw += handle.read(MAX_FILE_BYTES + 1 - len(raw))
        return raw, size


def parse_documents(text: str, display: str, file: Path) -> tuple[list[YamlDocument],
                                                                   list[Problem]]:
    """Every non-empty document of `text`, with its marks; on a YAML error, the documents
    before it."""
    docs: list[YamlDocument] = []
    problems: list[Problem] = []
    try:
        loader = BoundedLoader(text)
    except yaml.YAMLError as err:  # the pure-Python reader checks characters up front
        return docs, [_reader_problem(display, text, err)]
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None or (isinstance(node, ScalarNode) and node.tag == f"{TAG}null"
                                and node.value in ("", "~", "null")):
                continue
            builder = Builder(display)
            data = builder.build(node, (), None)
            problems.extend(builder.problems)
            if not builder.problems:
                docs.append(YamlDocument(display, file, data, mark_of(node.start_mark),
                                         builder.marks))
    except AliasError as err:
        mark = err.problem_mark
        problems.append(Problem(display, mark.line + 1, mark.column + 1, err.problem or "alias"))
    except yaml.MarkedYAMLError as err:
        problems.append(_yaml_problem(display, err))
    except yaml.YAMLError as err:  # a ReaderError (control character) has no mark
        problems.append(_reader_problem(display, text, err))
    except RecursionError:
        problems.append(_whole(display, "YAML nested too deeply"))
    finally:
        loader.dispose()
    return docs, problems


def load_yaml_documents(text: str, display: str) -> list[YamlDocument]:
    """The documents of `text` read as a config is (`parse_documents`: alias bound, duplicate
    keys refused, marks kept), for code that reads YAML outside a load (import, drift); the
    first problem raised as a one-line `ConfigError`."""
    docs, problems = parse_documents(text, display, Path(display))
    if problems:
        raise ConfigError(problems[0])
    return docs


def _yaml_problem(display: str, err: yaml.MarkedYAMLError) -> Problem:
    mark = err.problem_mark or err.context_mark
    what = err.problem or "invalid YAML"
    if err.context:
        what = f"{what} ({err.context})"
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Problem(display, line, col, f"YAML syntax error: {what}")


def _reader_problem(display: str, text: str, err: yaml.YAMLError) -> Problem:
    """A YAML error without a mark: a character YAML does not allow (a control character),
    located by its position in the text."""
    position = getattr(err, "position", None)
    character = getattr(err, "character", None)
    if isinstance(position, int) and 0 <= position <= len(text):
        line = text.count("\n", 0, position) + 1
        col = position - (text.rfind("\n", 0, position) + 1) + 1
    else:
        line, col = 1, 1
    if isinstance(character, int):
        what = f"character U+{character:04X} is not allowed in YAML text"
    elif isinstance(character, str) and len(character) == 1:
        what = f"character U+{ord(character):04X} is not allowed in YAML text"
    else:
        what = "a character YAML does not allow"
    what += " (write it as an escape inside double quotes, e.g. \"\\x01\")"
    return Problem(display, line, col, f"YAML syntax error: {what}")


def _whole(display: str, message: str) -> Problem:
    return Problem(display, 1, 1, message)


def _offset_mark(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    start = raw.rfind(b"\n", 0, offset) + 1
    return line, len(raw[start:offset].decode("utf-8", "replace")) + 1
