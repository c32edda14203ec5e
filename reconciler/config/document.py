"""One YAML file → what it defines (`Loaded`): its validated documents (of any kind) with their
places and digests, its problems, and the files it reads as data. loader.py puts the files
together.

Steps for each document: parse (`yaml_source`), place it in the environment (`environments`:
membership and overrides), expand a fleet (`fleet`: one copy per item), substitute `${VAR}`
(`variables`), read the files its `*_file` keys name (`file_refs`), validate with its kind's
document model (`kind:`, assistant by default; reconciler/kinds/), and map validation errors back
to lines (`spec_errors`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistants.canonical import text_sha256
from reconciler.config.environments import Environment, place_document
from reconciler.config.file_refs import PathCache, resolve_file_refs
from reconciler.config.fleet import Item, expand, fleet_items, template
from reconciler.config.resolved import Document
from reconciler.config.spec_errors import validation_problems
from reconciler.config.variables import substitute
from reconciler.config.yaml_marks import Mark
from reconciler.config.yaml_source import YamlDocument, parse_documents, read_text
from reconciler.errors import Problem
from reconciler.kinds import KIND_KEY, spec_for
from reconciler.kinds.controls import DocumentSpec
from reconciler.marker import IDENT_PATTERN


@dataclass(frozen=True)
class YamlFile:
    """A YAML file found under a config root."""

    path: Path
    display: str
    root: Path
    real: Path  # resolved, symlinks followed


@dataclass(frozen=True)
class Placed:
    """Where a valid document is: what the config and a duplicate-key message need of it."""

    path: str
    line: int  # of the document's start
    key: Mark  # of its `key` value
    item: str = ""  # of a fleet: `row 3 of tenants.csv`, `item 2 of for_each`

    @property
    def _short(self) -> str:
        return f"[{self.item.split(' of ', 1)[0]}]" if self.item else ""

    @property
    def source(self) -> str:
        return f"{self.path}:{self.line}{self._short}"

    @property
    def place(self) -> str:
        return f"{self.path}:{self.key.line}:{self.key.col}{self._short}"

    def problem(self, message: str) -> Problem:
        where = f" [{self.item}]" if self.item else ""
        return Problem(self.path, self.key.line, self.key.col, message + where)


@dataclass
class Loaded:
    """What loading one file found."""

    problems: list[Problem] = field(default_factory=list)  # in the order they are reported
    documents: list[tuple[Placed, Document, str]] = field(default_factory=list)  # + digest
    targets: set[Path] = field(default_factory=set)  # files its `*_file` keys name
    invalid_keys: list[tuple[Placed, tuple[str, str]]] = field(default_factory=list)  # the
    # kind and string `key` of each document that failed validation: a duplicate key is
    # reported with its errors


_KEY = re.compile(IDENT_PATTERN)


def load_file(file: YamlFile, env: Mapping[str, str], resolved: PathCache,
              declared: Mapping[str, Any] | None = None,
              current: Environment | None = None) -> Loaded:
    """Read, parse, resolve and validate every document of `file` for the `current`
    environment (of those `declared`). Its own problems (reading, YAML, non-mapping documents)
    and each document's are all reported; a document with any problem defines no assistant."""
    text, problems = read_text(file.path, file.display)
    item = Loaded(problems=problems)
    if text is None:
        return item
    docs, errors = parse_documents(text, file.display, file.path)
    item.problems.extend(errors)
    variables = current.variables(env) if current is not None else env
    for doc in docs:
        if not isinstance(doc.data, dict):
            kind = "a list" if isinstance(doc.data, list) else "a single value"
            item.problems.append(doc.problem((), f"a document must be a mapping (one "
                                                 f"assistant or agent), got {kind}"))
            continue
        present, errors = place_document(doc, declared, current)
        items, targets, more = fleet_items(doc, file.root, resolved)
        item.targets |= targets
        errors += more
        if errors or not present:
            item.problems.extend(errors)
            continue
        if items is None:
            _load_document(doc, file, variables, resolved, item, None)
            continue
        errors = substitute(doc, variables, template=True)  # once, not once per item
        if errors:
            item.problems.extend(errors)
            continue
        seen: set[tuple[str, int, int, str]] = set()  # one report of a template's problem
        fleet = template(doc)
        for each in items:
            copy, errors = expand(fleet, each)
            start = len(item.problems)
            if errors:
                item.problems.extend(errors)
            else:
                _load_document(copy, file, variables, resolved, item, each)
            kept = []
            for problem in item.problems[start:]:
                what = (problem.path, problem.line, problem.col, problem.message)
                if what not in seen:
                    seen.add(what)
                    kept.append(Problem(problem.path, problem.line, problem.col,
                                        f"{problem.message} [{each.label}]"))
            item.problems[start:] = kept
    return item


def _load_document(doc: YamlDocument, file: YamlFile, env: Mapping[str, str],
                   resolved: PathCache, item: Loaded, each: Item | None) -> None:
    """Substitute (a fleet's template already was), read files, validate one document (or
    one item of a fleet) into `item`."""
    errors = substitute(doc, env) if each is None else []
    refs = resolve_file_refs(doc, file.root, resolved)
    item.targets |= refs.targets
    errors += refs.problems
    key = doc.data.get("key")
    label = each.label if each is not None else ""
    model, problem = spec_for(doc.data.get(KIND_KEY, "assistant"))
    if model is None:
        errors.append(doc.problem((KIND_KEY,), problem or ""))
    else:
        data = {k: v for k, v in doc.data.items() if k != KIND_KEY}
        try:
            spec = model.model_validate(data)
        except ValidationError as err:
            errors.extend(validation_problems(err, model, doc, refs.origins))
        else:
            if not errors:
                placed = Placed(doc.path, doc.start.line, doc.mark(("key",)), label)
                document = Document(spec, placed.source, _field_lines(doc))
                item.documents.append((placed, document, spec_digest(spec)))
    if errors and isinstance(key, str) and _KEY.match(key):  # a bad key has its error
        kind = model.KIND.name if model is not None else str(doc.data.get(KIND_KEY))
        item.invalid_keys.append((Placed(doc.path, doc.start.line, doc.mark(("key",)), label),
                                  (kind, key)))
    item.problems.extend(errors)


def _field_lines(doc: YamlDocument) -> dict[str, int]:
    """`{field: line}` of the document's top-level keys (a `*_file` key stands for its field)."""
    out: dict[str, int] = {}
    for name in doc.data:
        located = doc.marks.get((name,))
        if isinstance(name, str) and located is not None and located.key is not None:
            out[name.removesuffix("_file")] = located.key.line
    return out


def spec_digest(spec: DocumentSpec) -> str:
    """The digest of a spec in `Config.config_sha256`: the sha256 of the JSON of the fields its
    document set (in its order, files and variables resolved) and of its instructions' sha256.
    Any edit of a document's content changes it (even to a value equal to the default, or of
    key order, which a strict JSON schema's `properties` make significant); moving text
    between files does not."""
    fields = spec.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if "instructions" not in fields:
        tail = "-"
    else:
        instructions = fields.pop("instructions")
        tail = "null" if instructions is None else text_sha256(instructions)
    text = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return text_sha256(f"{text}\n{tail}")
