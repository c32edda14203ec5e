"""The structural rules of DESIGN.md ("Where the code lives"), checked by reading the source
with `ast`: which module imports which, which calls reach the file system, and import cycles.

Nothing is imported or executed: a tree (the repository, or a small one a test writes into a
temporary folder) is parsed and its imports resolved to dotted module names. Every `import`
and `from ... import` counts for the arrows, wherever it stands: at module level, inside a
function, or under `if TYPE_CHECKING:`; an arrow that must never exist is not made harmless by
being lazy. Cycles are another matter: see `import_cycles`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PACKAGES = ("assistants", "reconciler")

# Modules only the HTTP client uses. The embedded server stands in for the real API in the
# tests, so it must not share the client's code: a server that parsed credentials with
# `assistants.auth`, paged with `assistants.listing`, computed `Retry-After` with
# `assistants.retry` or built errors with `assistants.http_errors` would agree with a bug in
# them, and the tests of the client against it would prove nothing. (`assistants.meeting` is
# the listing's arithmetic, so it goes with the listing.)
CLIENT_SIDE = (
    "assistants.client",
    "assistants.listing",
    "assistants.meeting",
    "assistants.retry",
    "assistants.auth",
    "assistants.http_errors",
)

# Calls that read, write or query the file system, by the name called: `open(...)`,
# `path.write_text(...)`, `os.path.exists(...)`, `os.listdir(...)`, ... (any use of the `os`,
# `shutil`, `tempfile` or `glob` modules counts too, imported or not).
FILE_CALLS = frozenset({
    "open", "write_text", "read_text", "write_bytes", "read_bytes", "mkdir", "unlink",
    "rmdir", "touch", "rename", "iterdir", "exists", "is_file", "is_dir",
})
FILE_MODULES = ("os", "shutil", "tempfile", "glob")
NETWORK_OR_DISK = (
    "httpx", "socket", "urllib.request", "sqlite3", "uvicorn",
    "assistants.client", "assistants.listing", "assistants.local",
    "reconciler.apply", "reconciler.cli",
) + FILE_MODULES


@dataclass(frozen=True)
class Rule:
    """An arrow that must never exist: no module under `source` may import `targets`."""

    arrow: str
    source: str
    targets: tuple[str, ...]
    file_calls: bool = False  # also no call that touches the file system


RULES = (
    Rule("config -> plan", "reconciler.config", ("reconciler.plan",)),
    Rule("API side (assistants/) -> reconciler", "assistants", ("reconciler",)),
    Rule("embedded server (assistants/local/) -> client", "assistants.local", CLIENT_SIDE),
    Rule("renderer (reconciler/report/) -> file system", "reconciler.report",
         FILE_MODULES, file_calls=True),
    Rule("plan (reconciler/plan/) -> network or disk", "reconciler.plan",
         NETWORK_OR_DISK, file_calls=True),
)


@dataclass(frozen=True)
class Import:
    """One imported module, as `line` of `path` names it (resolved to a dotted name)."""

    path: str
    line: int
    module: str
    runs_on_import: bool  # at module level and not under `if TYPE_CHECKING:`


@dataclass(frozen=True)
class Module:
    name: str
    path: str  # relative to the tree's root, with `/`
    tree: ast.Module
    is_package: bool  # an `__init__.py`


def within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def modules(root: Path, packages: Sequence[str] = PACKAGES) -> dict[str, Module]:
    """Every module of `packages` under `root`, parsed, by dotted name."""
    found: dict[str, Module] = {}
    for package in packages:
        for file in sorted((root / package).rglob("*.py")):
            rel = file.relative_to(root)
            parts = list(rel.with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            name = ".".join(parts[:-1] if is_package else parts)
            tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(rel))
            found[name] = Module(name, rel.as_posix(), tree, is_package)
    return found


def _base(module: Module, node: ast.ImportFrom) -> str:
    """The module a `from ... import` names, relative imports resolved."""
    if node.level == 0:
        return node.module or ""
    parts = module.name.split(".")
    keep = len(parts) - node.level + (1 if module.is_package else 0)
    base = ".".join(parts[:keep])
    return f"{base}.{node.module}" if node.module else base


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _walk(node: ast.AST, runs: bool) -> Iterator[tuple[ast.AST, bool]]:
    """Every node under `node`, with whether it runs when the module is imported."""
    for child in ast.iter_child_nodes(node):
        child_runs = runs
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            child_runs = False
        yield child, child_runs
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for part in child.body:
                yield part, False
                yield from _walk(part, False)
            for part in child.orelse:
                yield part, child_runs
                yield from _walk(part, child_runs)
            continue
        yield from _walk(child, child_runs)


def imports(module: Module, known: Mapping[str, Module]) -> Iterator[Import]:
    """What `module` imports: `from a import b` names `a.b` when that is a module of the tree,
    else `a`."""
    for node, runs in _walk(module.tree, True):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module.path, node.lineno, alias.name, runs)
        elif isinstance(node, ast.ImportFrom):
            base = _base(module, node)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield Import(module.path, node.lineno, sub if sub in known else base, runs)


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def file_system_uses(module: Module) -> Iterator[tuple[int, str]]:
    """Lines of `module` that touch the file system, with what they do there."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call):
            name = _called_name(node)
            if name in FILE_CALLS:
                yield node.lineno, f"calls {name}()"
        if isinstance(node, ast.Attribute) and _root_name(node) in FILE_MODULES:
            if isinstance(node.value, ast.Name):  # report `os.path.x` once, at `os.path`
                yield node.lineno, f"uses {node.value.id}.{node.attr}"


def violations(root: Path, rules: Iterable[Rule] = RULES) -> list[str]:
    """One line per forbidden arrow in the tree: `path:line: arrow (what)`.

    An arrow drawn through other modules of the tree counts too (plan -> config.resolved ->
    httpx is plan -> network): the line is the first import on the way, followed by the rest
    of the way (`via path:line, ...`). Calls are checked in the rule's own modules only."""
    known = modules(root)
    graph = {name: list(imports(module, known)) for name, module in known.items()}
    out: list[str] = []
    for rule in rules:
        for module in known.values():
            if not within(module.name, rule.source):
                continue
            for first, *rest in _ways(module.name, graph, rule.targets):
                via = f" via {', '.join(f'{i.path}:{i.line}' for i in rest)}" if rest else ""
                target = (rest or [first])[-1].module
                out.append(f"{first.path}:{first.line}: {rule.arrow} (imports {target}{via})")
            if rule.file_calls:
                for line, what in file_system_uses(module):
                    out.append(f"{module.path}:{line}: {rule.arrow} ({what})")
    return sorted(set(out))


def _ways(start: str, graph: Mapping[str, list[Import]],
          targets: Sequence[str]) -> Iterator[list[Import]]:
    """The shortest chain of imports from `start` to each module of `targets` it reaches,
    breadth first through the tree's modules (not through a target: one arrow is enough)."""
    seen = {start}
    frontier: list[list[Import]] = [[]]
    while frontier:
        following: list[list[Import]] = []
        for way in frontier:
            here = way[-1].module if way else start
            for imp in graph.get(here, ()):
                if imp.module in seen:
                    continue
                seen.add(imp.module)
                if any(within(imp.module, target) for target in targets):
                    yield [*way, imp]
                elif imp.module in graph:
                    following.append([*way, imp])
        frontier = following


def import_cycles(root: Path) -> list[str]:
    """Each cycle of module-level imports, as `a (path:line) -> b (path:line) -> ... -> a`.

    Only imports that run when a module is imported make a cycle: an import inside a function
    runs later, when every module is loaded, and one under `if TYPE_CHECKING:` never runs.
    Those are the usual ways to break a cycle, and they are still held to the arrows above.
    """
    known = modules(root)
    edges: dict[str, dict[str, Import]] = {name: {} for name in known}
    for name, module in known.items():
        for imp in imports(module, known):
            if imp.runs_on_import and imp.module in known and imp.module != name:
                edges[name].setdefault(imp.module, imp)
    return [_describe(cycle, edges) for cycle in _cycles(edges)]


def _cycles(edges: Mapping[str, Mapping[str, Import]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                components.append(component)

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return [_cycle_in(sorted(c), edges) for c in components]


def _cycle_in(component: list[str], edges: Mapping[str, Mapping[str, Import]]) -> list[str]:
    """A shortest path from the component's first module back to itself (breadth first)."""
    start = component[0]
    members = set(component)
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for nxt in sorted(edges[node]):
                if nxt not in members:
                    continue
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if nxt not in came_from:
                    came_from[nxt] = node
                    following.append(nxt)
        frontier = following
    return [start, start]  # unreachable for a strongly connected component


def _describe(cycle: list[str], edges: Mapping[str, Mapping[str, Import]]) -> str:
    steps = [cycle[0]]
    for here, there in zip(cycle, cycle[1:], strict=False):
        imp = edges[here][there]
        steps.append(f"-> {there} ({imp.path}:{imp.line})")
    return "import cycle: " + " ".join(steps)
