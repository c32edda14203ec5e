"""One assistant document -> the agent document, in place, by the table of AGENTS-FACTS.md
("From an assistant to an agent"); an environment's override is mapped by the same table.

Nothing is resolved: `${VAR}` and `${each.x}` text is carried as written, and `*_file` paths
are rewritten (by the `rewrite` the caller gives) so that they name the same files from the
agent document's place. What each step carried, lost and supplied goes into `Findings`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ruamel.yaml.comments import CommentedMap

from reconciler.migrate.findings import Findings
from reconciler.migrate.tools import SUGGEST as TOOL_SUGGEST
from reconciler.migrate.tools import Rewrite, is_json_schema, map_response_format, map_tools
from reconciler.migrate.yaml_edit import new_map, remove_key, replace_key

AGENT_NAME_MAX = 128

SUGGEST = {
    "description": "no equivalent on an agent: keep it as a YAML comment, or in `metadata` "
                   "(values of up to 512 characters)",
    "sampling": "no equivalent: an agent samples with the model's defaults; say the wanted "
                "style in the instructions, or pick a reasoning effort",
    "name": "cut to 128 characters (an agent's name is at most 128): choose a shorter name",
}
DEFAULTS = {"temperature": 1, "top_p": 1}
"""The Assistants API's defaults (API-FACTS.md): a value equal to one loses nothing."""

CONTROLS = ("key", "protect", "environments", "for_each")
"""Controls carried as they are."""


@dataclass(frozen=True)
class Mapper:
    """How to map: `models` renames models (`--model OLD=NEW`); `rewrite` rewrites `*_file`."""

    rewrite: Rewrite
    models: Mapping[str, str] = field(default_factory=dict)

    def document(self, doc: CommentedMap) -> Findings:
        """Turn `doc` (a valid assistant document) into the agent document, in place."""
        f = Findings()
        if "kind" in doc:
            doc["kind"] = "agent"
        else:
            doc.insert(0, "kind", "agent")
        base_schema = is_json_schema(doc.get("response_format"))
        self.fields(doc, f, "", base_schema=False)
        overrides = doc.get("overrides")
        if isinstance(overrides, dict):
            for env, override in overrides.items():
                if isinstance(override, dict):
                    self.fields(override, f, f"overrides.{env}.", base_schema=base_schema)
                f.carry(f"overrides.{env}")
        return f

    def fields(self, m: CommentedMap, f: Findings, prefix: str, *, base_schema: bool) -> None:
        """Map every field of `m` (a document, or one environment's override of it), in
        the document's order."""
        for key in list(m):
            step = self._steps().get(key)
            if step is not None:
                step(m, key, f, prefix)
            elif key == "response_format":
                map_response_format(m, self.rewrite, f, prefix, base_schema)
            elif key == "tools":
                map_tools(m, self.rewrite, f, prefix)
            elif key in CONTROLS or key in ("instructions", "metadata"):
                f.carry(prefix + key)

    def _steps(self) -> dict[str, Callable[[CommentedMap, str, Findings, str], None]]:
        return {"model": self._model, "name": self._name, "description": _description,
                "temperature": _sampling, "top_p": _sampling,
                "reasoning_effort": _reasoning, "tool_resources": _tool_resources,
                "instructions_file": self._file, "for_each_file": self._file,
                "id": _id, "ignore_changes": _ignore_changes}

    def _model(self, m: CommentedMap, key: str, f: Findings, prefix: str) -> None:
        old = m[key]
        new = self.models.get(old) if isinstance(old, str) else None
        if new is None:
            f.carry(prefix + key)
            return
        m[key] = new
        f.carried.append(f"{prefix}model {old} -> {new} (--model)")

    def _name(self, m: CommentedMap, key: str, f: Findings, prefix: str) -> None:
        name = m[key]
        if isinstance(name, str) and len(name) > AGENT_NAME_MAX:
            f.lose(prefix + key, name, SUGGEST["name"])
            m[key] = name[:AGENT_NAME_MAX]
            return
        f.carry(prefix + key)

    def _file(self, m: CommentedMap, key: str, f: Findings, prefix: str) -> None:
        m[key] = self.rewrite(m[key], key, m)
        f.carry(prefix + key)


def _description(m: CommentedMap, key: str, f: Findings, prefix: str) -> None:
    if m[key] not in (None, ""):
        f.lose(prefix + key, m[key], SUGGEST["description"])
    remove_key(m, key)


def _sampling(m: CommentedMap, key: str, f: Findings, prefix: str) -> None:
    value = m[key]
    if value is None or value == DEFAULTS[key]:
        f.notes.append(f"{prefix}{key} {value}: the default, nothing to carry")
    else:
        f.lose(prefix + key, value, SUGGEST["sampling"])
    remove_key(m, key)


def _reasoning(m: CommentedMap, key: str, f: Findings, prefix: str) -> None:
    if m[key] is None:  # an override's null unsets the document's effort: so does `reasoning`
        if prefix:
            replace_key(m, key, "reasoning", None)
        else:
            remove_key(m, key)
        return
    replace_key(m, key, "reasoning", new_map(("effort", m[key]), flow=True))
    f.carry(prefix + key, prefix + "reasoning.effort")


def _tool_resources(m: CommentedMap, key: str, f: Findings, prefix: str) -> None:
    resources = m[key]
    if isinstance(resources, dict):
        for part, value in resources.items():
            if value not in (None, {}):
                f.lose(f"{prefix}{key}.{part}", value, TOOL_SUGGEST.get(f"{key}.{part}"))
    remove_key(m, key)


def _id(m: CommentedMap, key: str, f: Findings, prefix: str) -> None:
    f.notes.append(f"{prefix}id {m[key]} not carried: it names the assistant; the agent gets "
                   "its own id when it is created")
    remove_key(m, key)


def _ignore_changes(m: CommentedMap, key: str, f: Findings, prefix: str) -> None:
    paths = m[key]
    if not isinstance(paths, list):
        return
    gone: list[int] = []
    for i, path in enumerate(paths):
        mapped = agent_ignore_path(path) if isinstance(path, str) else None
        if mapped is None:
            f.notes.append(f"{prefix}{key} `{path}` dropped: an agent has no such field")
            gone.append(i)
        elif mapped != path:
            f.carry(f"{prefix}{key} `{path}`", f"`{mapped}`")
            paths[i] = mapped
    for i in reversed(gone):
        del paths[i]
    if not paths:
        remove_key(m, key)
    else:
        f.carry(prefix + key)


_SAME = ("name", "instructions", "model", "metadata")


def agent_ignore_path(path: str) -> str | None:
    """An assistant's `ignore_changes` path as an agent names that part, or None when an agent
    has no such part (description, temperature, tool_resources, a file_search tool...)."""
    head, _, rest = path.partition(".")
    if head in _SAME:
        return path
    if head == "tools":
        return _tool_path(path, rest)
    if head == "response_format":
        if not rest:
            return "text"
        schema = "json_schema.schema"
        if rest == schema or rest.startswith(schema + "."):
            return "text.format.schema" + rest[len(schema):]
    return None


def _tool_path(path: str, rest: str) -> str | None:
    if not rest:
        return path
    ident, _, part = rest.partition(".")
    if not ident.startswith("function:"):
        return None
    if not part or part == "function":
        return f"tools.{ident}"
    head, _, inner = part.partition(".")  # `function.description`, `function.parameters.x`
    if head == "function" and inner.partition(".")[0] in ("description", "parameters"):
        return f"tools.{ident}.{inner}"
    return None
