"""Reading YAML safely and remembering where every value came from.

`read_text` checks a file before anyone parses it (size, NUL bytes, UTF-8). `parse_documents`
turns the text into plain Python values (dict, list, str, int, float, bool, None) and a map from
each value's path (`("tools", 0, "function", "name")`) to the line and column of its key and of
its value, so that later errors can point at `file:line:col`.

Safety, beyond `yaml.SafeLoader`:
- duplicate mapping keys are errors (PyYAML keeps the last one silently);
- alias expansion is bounded: every alias adds the size of the node it names to a running count,
  and a document whose aliases expand past `MAX_ALIAS_NODES` nodes is rejected while it is being
  composed (a "billion laughs" file fails in milliseconds), as are recursive aliases;
- only the standard scalar tags are accepted; timestamps stay strings (as in YAML 1.2).
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import ScalarNode

from assistants.errors import Problem
from reconciler.yaml_build import Builder
from reconciler.yaml_loaders import (
    AliasError,
    BoundedLoader,
    FastLoader,
    c_composable,
)
from reconciler.yaml_marks import (
    TAG,
    DataPath,
    Located,
    Mark,
    mark_of,
)

MAX_FILE_BYTES = 1024 * 1024
"""Largest YAML or referenced file read (1 MiB)."""

class _LazyMarks(dict):  # type: ignore[type-arg]
    """The marks of a document, built on first read by parsing its text again with marks.

    Marks are needed only to locate problems, so a valid document never pays for them. Marks of
    scalars holding `${` (substitution reads them in valid documents too) and of the top-level
    `key` (the loader keeps where each key is) are recorded while parsing; those and any set
    explicitly are kept when the rest is filled in."""

    __slots__ = ("_source", "links")

    def __init__(self, source: tuple[str, str, Path, int]):
        super().__init__()
        self._source: tuple[str, str, Path, int] | None = source
        self.links: list[tuple[DataPath, DataPath]] = []

    @property
    def filled(self) -> bool:
        return self._source is None

    def _fill(self) -> None:
        source, self._source = self._source, None
        if source is None:
            return
        text, display, file, index = source
        docs, _ = _parse(text, display, file, record=True)
        built = next((doc.marks for doc in docs if doc.index == index), {})
        for target, origin in self.links:
            if origin in built:
                built[target] = built[origin]
        for path, located in built.items():
            dict.setdefault(self, path, located)

    def get(self, key: Any, default: Any = None) -> Any:
        if not dict.__contains__(self, key):
            self._fill()
        return dict.get(self, key, default)

    def __getitem__(self, key: Any) -> Any:
        if not dict.__contains__(self, key):
            self._fill()
        return dict.__getitem__(self, key)

    def __contains__(self, key: Any) -> bool:
        if not dict.__contains__(self, key):
            self._fill()
        return dict.__contains__(self, key)

    def _all(self) -> _LazyMarks:
        self._fill()
        return self

    def __iter__(self):  # type: ignore[no-untyped-def]
        return dict.__iter__(self._all())

    def __len__(self) -> int:
        return dict.__len__(self._all())

    def __eq__(self, other: object) -> bool:
        return dict.__eq__(self._all(), other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return dict.__repr__(self._all())

    def keys(self):  # type: ignore[no-untyped-def]
        return dict.keys(self._all())

    def values(self):  # type: ignore[no-untyped-def]
        return dict.values(self._all())

    def items(self):  # type: ignore[no-untyped-def]
        return dict.items(self._all())

    def copy(self) -> dict[DataPath, Located]:
        return dict(self.items())


@dataclass
class YamlDocument:
    """One YAML document: its data, where each value came from, and where it starts."""

    path: str  # as shown in messages
    file: Path
    index: int
    data: Any
    start: Mark
    marks: dict[DataPath, Located] = field(default_factory=dict)
    has_variables: bool = True  # False when no string value holds `${` (nothing to substitute)

    def link_mark(self, target: DataPath, origin: DataPath) -> None:
        """Locate `target` where `origin` is (a `*_file` key replaced by its content)."""
        marks = self.marks
        if isinstance(marks, _LazyMarks) and not marks.filled:
            marks.links.append((target, origin))
            return
        located = marks.get(origin)
        if located is not None:
            marks[target] = located

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


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _read_bytes(file: Path) -> tuple[bytes | None, int]:
    """The file's bytes (up to one past the limit; None when its size is over it) and its size.
    One open, and the size from the open file (as `stat` of its path would give it); plain `os`
    calls, not a buffered file object, which costs twice as much for the two small files every
    assistant is (its YAML, its prompt)."""
    fd = os.open(file, _OPEN_FLAGS)
    try:
        status = os.fstat(fd)
        if stat.S_ISDIR(status.st_mode):  # as `open` says it (a directory may be "large")
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(file))
        size = status.st_size
        if size > MAX_FILE_BYTES:
            return None, size
        chunks: list[bytes] = []
        total = 0
        while total <= MAX_FILE_BYTES:  # to the end: the file may have grown, or say size 0
            chunk = os.read(fd, size + 1 if not chunks else 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    return (chunks[0] if len(chunks) == 1 else b"".join(chunks)), size


def parse_documents(text: str, display: str, file: Path) -> tuple[list[YamlDocument],
                                                                   list[Problem]]:
    """Every non-empty document of `text`; on a YAML error, the documents before it."""
    return _parse(text, display, file, record=False)


def _parse(text: str, display: str, file: Path, *, record: bool) -> tuple[list[YamlDocument],
                                                                          list[Problem]]:
    """`parse_documents`; with `record`, every value's marks are built now, else lazily."""
    docs: list[YamlDocument] = []
    problems: list[Problem] = []
    try:
        tree = c_composable(text)  # no anchors or aliases: the nodes form a tree
        loader = FastLoader(text) if tree else BoundedLoader(text)
    except yaml.YAMLError as err:  # the pure-Python reader checks characters up front
        return docs, [_reader_problem(display, text, err)]
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            index += 1
            if node is None or (isinstance(node, ScalarNode) and node.tag == f"{TAG}null"
                                and node.value in ("", "~", "null")):
                continue
            marks: dict[DataPath, Located] = (
                {} if record else _LazyMarks((text, display, file, index)))
            builder = Builder(display, marks, record, aliases=not tree)
            start = mark_of(node.start_mark)
            data = builder.build(node, (), None)
            doc = YamlDocument(display, file, index, data, start, marks, builder.variables)
            problems.extend(builder.problems)
            if not builder.problems:
                docs.append(doc)
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
