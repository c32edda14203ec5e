"""`import`: adopt objects (assistants, agents) that already exist, writing one YAML document
per object. What follows says "assistant"; an agent is imported alike, its document saying
`kind: agent`.

Only reads the server. Each document holds `id:` (so the first plan matches it) and a `key`
derived from the name (a slug; the id when there is no name; made unique against the keys the
folder already has), and the assistant's fields in canonical form (defaults left out) but with
its tools in the server's order and its ranker as the server has it, so that the first plan
after an import adds just the ownership marker and the next update changes nothing else. Instructions that are multi-line or long go to a
Markdown file beside the YAML, read back verbatim. `${` in any imported string is written `$${`
so that variable substitution gives the text back unchanged.

- With an owner (`--owner`, `ASSISTANTS_OWNER`, or the folder's `assistants.project.yaml`), a
  folder without settings gets an `assistants.project.yaml` naming it, so `plan DIR` needs no flag.
- Assistants already in the folder (by `id:`, or by this owner's marker key) are skipped.
- `--all` skips assistants carrying another owner's marker (they belong to another repository);
  naming one with `--id` imports it, with a warning that its plan needs `--takeover`.
- More than 15 metadata pairs leave no room for the marker: the file keeps them all (nothing is
  dropped behind the user's back), `validate` then names the line, and a warning says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistants.canonical import MARKER_KEY
from assistants.kinds import DEFAULT_KIND, Kind
from assistants.kinds.assistant import ASSISTANT
from assistants.limits import REASONING_EFFORTS
from reconciler.config.settings import SETTINGS_FILE
from reconciler.config.yaml_source import display_path, load_yaml_documents, read_text
from reconciler.errors import ConfigError
from reconciler.marker import live_marker, marker_value, write_only_digest

_SLUG = re.compile(r"[^a-z0-9]+")
KEY_MAX = 64
METADATA_ROOM = 15
LONG_INSTRUCTIONS = 200
"""Instructions longer than this (or multi-line) go to `<key>.md` beside the YAML."""


@dataclass(frozen=True)
class ImportedFile:
    key: str
    id: str
    path: Path
    extra_files: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportResult:
    files: tuple[ImportedFile, ...]
    skipped: tuple[str, ...] = ()  # one line per assistant left out, with the reason
    settings: Path | None = None  # the settings file written, if any


@dataclass
class Existing:
    """What the output folder already holds: (kind, key) and ids of its documents, settings."""

    keys: set[tuple[str, str]] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    owner: str | None = None
    has_settings: bool = False


def slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")[:KEY_MAX].strip("-")


def scan_existing(out_dir: Path) -> Existing:
    """Keys, ids and owner already in `out_dir` (tolerant: a file that does not parse is
    `validate`'s business, not import's)."""
    found = Existing()
    if not out_dir.is_dir():
        return found
    settings = out_dir / SETTINGS_FILE
    if settings.is_file():
        found.has_settings = True
        data = _safe_load_all(settings)
        if data and isinstance(data[0], dict) and isinstance(data[0].get("owner"), str):
            found.owner = data[0]["owner"]
    for path in sorted([*out_dir.rglob("*.yaml"), *out_dir.rglob("*.yml")]):
        if path.name == SETTINGS_FILE or any(p.startswith(".") for p in path.parts):
            continue
        for doc in _safe_load_all(path):
            if isinstance(doc, dict):
                if isinstance(doc.get("key"), str):
                    found.keys.add((str(doc.get("kind", DEFAULT_KIND)), doc["key"]))
                if isinstance(doc.get("id"), str):
                    found.ids.add(doc["id"])
    return found


def derive_keys(assistants: Iterable[Mapping[str, Any]],
                taken: Iterable[str] = ()) -> dict[str, str]:
    """`{id: key}`: the marker's key when there is one, else a slug of the name, else of the
    id; made unique (against `taken` too) with `-2`, `-3`, ... in listing order."""
    keys: dict[str, str] = {}
    used: set[str] = set(taken)
    for assistant in assistants:
        ident = str(assistant.get("id"))
        marker = live_marker(assistant)
        base = (marker.key if marker else slug(assistant.get("name") or "")) or slug(ident) or "a"
        key, n = base, 1
        while key in used:
            n += 1
            suffix = f"-{n}"
            key = base[: KEY_MAX - len(suffix)] + suffix
        used.add(key)
        keys[ident] = key
    return keys


def recover_write_only(digest: str) -> dict[str, Any]:
    """The write-only values behind a marker's digest. Servers never return them, but
    `reasoning_effort` has few possible values, so the digest identifies it exactly; without
    this, the first plan after an import would reset it."""
    for effort in REASONING_EFFORTS:
        if write_only_digest({"reasoning_effort": effort}) == digest:
            return {"reasoning_effort": effort}
    return {}


def document(assistant: Mapping[str, Any], key: str, stem: str | None = None,
             environment: str | None = None,
             kind: Kind = ASSISTANT) -> tuple[dict[str, Any], str | None]:
    """The YAML document for one live object of `kind` and, when the instructions are
    multi-line or long, the text for the instructions file (the document then names it). Read
    from an environment's server, it exists in that `environment` only (its `id:` is that
    server's)."""
    form = kind.canonical(assistant)
    tools = assistant.get("tools")
    if isinstance(form.get("tools"), list) and isinstance(tools, list):
        # as the server orders them, not sorted
        form["tools"] = [tool for one in tools
                         for tool in kind.canonical({"tools": [one]}).get("tools", [])]
    doc: dict[str, Any] = {} if kind.name == DEFAULT_KIND else {"kind": kind.name}
    doc.update({"key": key, "id": str(assistant.get("id"))})
    if environment is not None:
        doc["environments"] = [environment]
    instructions = form.pop("instructions", None)
    metadata = form.pop("metadata", {})
    metadata = {k: v for k, v in metadata.items() if k != MARKER_KEY} if isinstance(
        metadata, dict) else {}
    doc.update({k: _escape(v) for k, v in form.items() if k in ("name", "model", "description")})
    text_file = None
    if instructions is not None and ("\n" in instructions or "\r" in instructions
                                     or len(instructions) > LONG_INSTRUCTIONS):
        doc["instructions_file"] = f"{stem or key}.md"
        text_file = instructions
    elif instructions is not None:
        doc["instructions"] = _escape(instructions)
    doc.update({k: _escape(v) for k, v in form.items() if k not in doc})
    if metadata:
        doc["metadata"] = _escape(metadata)
    marker = live_marker(assistant)
    if marker and marker.protect:
        doc["protect"] = True
    if marker and marker.write_only_digest:
        doc.update(recover_write_only(marker.write_only_digest))
    return doc, text_file


def write_import(assistants: Iterable[Mapping[str, Any]], out_dir: Path, *,
                 owner: str | None = None, explicit: bool = False,
                 environment: str | None = None, kind: Kind = ASSISTANT) -> ImportResult:
    """Write one file per assistant under `out_dir`; never overwrites an existing file.

    `owner` is the owner the folder will plan as (None: unknown); `explicit` says the user named
    these assistants (`--id`) rather than asking for all of them; `environment` is the one of
    the settings they were read from (`import --env`)."""
    existing = scan_existing(out_dir)
    owner = owner or existing.owner
    chosen: list[Mapping[str, Any]] = []
    skipped: list[str] = []
    for assistant in assistants:
        ident = str(assistant.get("id"))
        marker = live_marker(assistant)
        if ident in existing.ids:
            skipped.append(f"{ident}: already in {out_dir} (a document has this id)")
        elif marker and marker.owner == owner and (kind.name, marker.key) in existing.keys:
            skipped.append(f"{ident}: already in {out_dir} as `{marker.key}`")
        elif marker and owner and marker.owner != owner and not explicit:
            skipped.append(f"{ident}: managed by owner `{marker.owner}` in another repository "
                           f"(import it with --id {ident}; planning it then needs --takeover)")
        else:
            chosen.append(assistant)
    keys = derive_keys(chosen, {k for name, k in existing.keys if name == kind.name})
    stems: set[str] = set()
    planned: list[tuple[Path, str]] = []
    results: list[ImportedFile] = []
    for assistant in chosen:
        ident = str(assistant.get("id"))
        key = keys[ident]
        stem = _file_stem(key if kind.name == DEFAULT_KIND else f"{key}.{kind.name}", stems)
        doc, text = document(assistant, key, stem, environment, kind)
        path = out_dir / f"{stem}.yaml"
        planned.append((path, yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                                        width=100)))
        extra: tuple[Path, ...] = ()
        if text is not None:
            planned.append((out_dir / f"{stem}.md", text))
            extra = (out_dir / f"{stem}.md",)
        results.append(ImportedFile(key, ident, path, extra,
                                    tuple(_warnings(assistant, doc, key, owner, path))))
    settings = None
    if owner and not existing.has_settings:
        settings = out_dir / SETTINGS_FILE
        planned.append((settings, f"# Written by `assistants import`; see docs/configuration.md.\n"
                                  f"owner: {owner}\n"))
    clashes = [str(p) for p, _ in planned if p.exists()]
    if clashes:
        raise ConfigError(f"import would overwrite {', '.join(clashes)}; nothing was written "
                          "(choose another --out or move them away)")
    out_dir.mkdir(parents=True, exist_ok=True)
    for path, text in planned:
        path.write_text(text, encoding="utf-8", newline="")
    return ImportResult(tuple(results), tuple(skipped), settings)


def _warnings(assistant: Mapping[str, Any], doc: Mapping[str, Any], key: str,
              owner: str | None, path: Path) -> list[str]:
    out = []
    for name in ("metadata", "tools", "tool_resources", "temperature", "top_p",
                 "response_format"):
        if _malformed(name, assistant.get(name)):
            out.append(f"{path}: {key}: the server's `{name}` ({type(assistant[name]).__name__})"
                       " is not what the API returns; the file may not validate")
    pairs = len(doc.get("metadata", {}))
    if pairs > METADATA_ROOM:
        out.append(f"{path}: {key} has {pairs} metadata pairs; at most {METADATA_ROOM} leave "
                   "room for the ownership marker: remove one before planning "
                   "(`validate` fails until then)")
    marker = live_marker(assistant)
    raw = marker_value(assistant)
    if marker and marker.owner != owner:
        out.append(f"{path}: {key} is managed by owner `{marker.owner}`; planning it needs "
                   "--takeover (or import it in that owner's repository)")
    elif raw is not None and marker is None:
        out.append(f"{path}: {key} has metadata `{MARKER_KEY}: {raw}`, which is not an "
                   "ownership marker of this tool; the first apply replaces it")
    return out


def _malformed(field: str, value: Any) -> bool:
    """A live value of a shape the API never returns (a list where a map belongs, ...)."""
    if value is None:
        return False
    if field in ("metadata", "tool_resources"):
        return not isinstance(value, dict) and value != []
    if field == "tools":
        return not isinstance(value, list)
    if field in ("temperature", "top_p"):
        return isinstance(value, bool) or not isinstance(value, int | float)
    return not isinstance(value, str | dict)


def _file_stem(key: str, taken: set[str]) -> str:
    """The file name (without extension) for `key`: the key itself, except that a name the
    loader would skip as hidden (a key starting with `.`) gets a leading `_`; unique."""
    base = f"_{key}" if key.startswith(".") else key
    stem, n = base, 1
    while stem.lower() in taken:  # also on case-insensitive file systems
        n += 1
        stem = f"{base}-{n}"
    taken.add(stem.lower())
    return stem


def _escape(value: Any) -> Any:
    """`${` written as `$${` in every string value, so substitution gives the text back."""
    if isinstance(value, str):
        return value.replace("${", "$${")
    if isinstance(value, dict):
        return {k: _escape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escape(v) for v in value]
    return value


def _safe_load_all(path: Path) -> list[Any]:
    """The documents of `path` read as `validate` reads them; none when it would refuse it."""
    display = display_path(path)
    text, _ = read_text(path, display)
    if text is None:
        return []
    try:
        return [doc.data for doc in load_yaml_documents(text, display)]
    except ConfigError:
        return []


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line strings, so prompts and descriptions stay readable."""


_UNICODE_BREAKS = ("\x85", "\u2028", "\u2029")


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    """Block style for multi-line text; double quotes (escaped) for text holding a character
    YAML reads as a line break that PyYAML would otherwise write raw (NEL, LS, PS)."""
    if any(ch in value for ch in _UNICODE_BREAKS):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)
