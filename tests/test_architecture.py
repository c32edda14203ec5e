"""The shape DESIGN.md ("Where the code lives") promises, checked on the source: no arrow that
must never exist (config -> plan, `assistants/` -> `reconciler/`, the embedded server -> the
client, a renderer -> the file system, plan -> the network or the disk), no import cycle, and
the size limits (functions of at most 60 lines, modules of at most 400, folders of at most 15
modules). The checker lives in `tests/support/architecture.py`; the second half of this file
runs it on small trees written for the purpose, so each rule is seen to fail."""

from __future__ import annotations

import ast
import shutil
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from tests.support.architecture import PACKAGES, import_cycles, modules, violations

REPO = Path(__file__).resolve().parents[1]
MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 400
MAX_FOLDER_MODULES = 15
CLICK_DECORATORS = {"command", "group", "option", "argument", "pass_context", "pass_obj"}


def test_no_arrow_that_must_never_exist() -> None:
    """Every import counts, at module level, inside a function or under `if TYPE_CHECKING:`,
    and so does an arrow drawn through other modules of ours (plan -> config -> httpx).

    "The client" is `assistants.client` and the modules only it uses: `auth`, `listing` (with
    its `meeting`), `retry`, `http_errors`. The embedded server stands in for the real API, so
    it must answer by its own rules: one that parsed credentials, paged, computed `Retry-After`
    or shaped errors with the client's code would agree with the client's bugs, and the tests
    of the client against it would prove nothing. `assistants.errors` (the exception tree the
    reconciler shares) and `assistants.limits` (the API's documented limits) are not the
    client's."""
    found = violations(REPO)
    assert not found, "arrows DESIGN.md forbids:\n" + "\n".join(found)


def test_no_import_cycle_at_module_level() -> None:
    """Only imports that run when the module is imported make a cycle: one inside a function
    runs once everything is loaded, one under `if TYPE_CHECKING:` never runs. (Today the only
    cycle they would add is the kind registry: `assistants/kinds/__init__.py` imports each
    kind inside `all_kinds()`, and each kind imports `Kind` from it.)"""
    found = import_cycles(REPO)
    assert not found, "\n".join(found)


def _is_click_command(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Decorated with click's `command`/`option`/...: a command table, exempt from the limit."""
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr in CLICK_DECORATORS:
            return True
    return False


def test_no_function_over_60_lines() -> None:
    long: list[str] = []
    for module in modules(REPO).values():
        for node in ast.walk(module.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                if size > MAX_FUNCTION_LINES and not _is_click_command(node):
                    long.append(f"{module.path}:{node.lineno}: {node.name} is {size} lines")
    assert not long, "\n".join(long)


def test_no_module_over_400_lines() -> None:
    big = [f"{m.path}: {n} lines" for m in modules(REPO, (*PACKAGES, "bench")).values()
           if (n := len((REPO / m.path).read_text(encoding="utf-8").splitlines()))
           > MAX_MODULE_LINES]
    assert not big, "\n".join(big)


def test_no_folder_over_15_modules() -> None:
    folders = Counter(str(Path(m.path).parent) for m in modules(REPO).values()
                      if not m.path.endswith("__init__.py"))
    crowded = [f"{folder}: {n} modules" for folder, n in sorted(folders.items())
               if n > MAX_FOLDER_MODULES]
    assert not crowded, "\n".join(crowded)


# The checker itself, on trees written for the purpose.

def _tree(root: Path, files: dict[str, str]) -> Path:
    for package in PACKAGES:
        (root / package).mkdir(exist_ok=True)
        (root / package / "__init__.py").touch()
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(root).parents:
            if str(parent) != ".":
                (root / parent / "__init__.py").touch()
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


BAD = [
    ("config imports plan",
     {"reconciler/config/loader.py": "import json\nfrom reconciler.plan.model import Plan\n",
      "reconciler/plan/model.py": ""},
     "reconciler/config/loader.py:2: config -> plan (imports reconciler.plan.model)"),
    ("config imports plan inside a function",
     {"reconciler/config/loader.py": """
        def load():
            import reconciler.plan.build
        """,
      "reconciler/plan/build.py": ""},
     "reconciler/config/loader.py:2: config -> plan (imports reconciler.plan.build)"),
    ("config imports plan under TYPE_CHECKING, relatively",
     {"reconciler/config/loader.py": """
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from ..plan import model
        """,
      "reconciler/plan/model.py": ""},
     "reconciler/config/loader.py:3: config -> plan (imports reconciler.plan.model)"),
    ("the API side imports the reconciler",
     {"assistants/kinds/agent.py": "from reconciler.errors import ConfigError\n",
      "reconciler/errors.py": ""},
     "assistants/kinds/agent.py:1: API side (assistants/) -> reconciler "
     "(imports reconciler.errors)"),
    ("the embedded server builds the client",
     {"assistants/local/transport.py": "from assistants import client\n",
      "assistants/client.py": ""},
     "assistants/local/transport.py:1: embedded server (assistants/local/) -> client "
     "(imports assistants.client)"),
    ("the embedded server parses Retry-After with the client's code",
     {"assistants/local/faults.py": "from assistants.retry import retry_after_seconds\n",
      "assistants/retry.py": ""},
     "assistants/local/faults.py:1: embedded server (assistants/local/) -> client "
     "(imports assistants.retry)"),
    ("a renderer opens a file",
     {"reconciler/report/drift.py": """
        def summary(path, text):
            with open(path, "a") as out:
                out.write(text)
        """},
     "reconciler/report/drift.py:2: renderer (reconciler/report/) -> file system "
     "(calls open())"),
    ("a renderer reads a file through pathlib",
     {"reconciler/report/drift.py": """
        from pathlib import Path

        def line_of(source):
            return Path(source).read_text().count("\\n")
        """},
     "reconciler/report/drift.py:4: renderer (reconciler/report/) -> file system "
     "(calls read_text())"),
    ("a renderer reads the environment",
     {"reconciler/report/drift.py": """
        import os

        def target():
            return os.environ["GITHUB_STEP_SUMMARY"]
        """},
     "reconciler/report/drift.py:4: renderer (reconciler/report/) -> file system "
     "(uses os.environ)"),
    ("plan reaches the network",
     {"reconciler/plan/build.py": "import httpx\n"},
     "reconciler/plan/build.py:1: plan (reconciler/plan/) -> network or disk (imports httpx)"),
    ("plan reaches the network through config",
     {"reconciler/plan/build.py": "from reconciler.config.resolved import Desired\n",
      "reconciler/config/resolved.py": "import json\nfrom assistants import client\n",
      "assistants/client.py": "import httpx\n"},
     "reconciler/plan/build.py:1: plan (reconciler/plan/) -> network or disk "
     "(imports assistants.client via reconciler/config/resolved.py:2)"),
    ("config reaches plan through another package",
     {"reconciler/config/loader.py": "from reconciler.kinds.controls import DocumentSpec\n",
      "reconciler/kinds/controls.py": "import re\nimport json\n"
                                      "from reconciler.plan.change import Change\n",
      "reconciler/plan/change.py": ""},
     "reconciler/config/loader.py:1: config -> plan "
     "(imports reconciler.plan.change via reconciler/kinds/controls.py:3)"),
    ("plan applies",
     {"reconciler/plan/build.py": "from reconciler.apply.applier import run\n",
      "reconciler/apply/applier.py": ""},
     "reconciler/plan/build.py:1: plan (reconciler/plan/) -> network or disk "
     "(imports reconciler.apply.applier)"),
    ("plan writes a file",
     {"reconciler/plan/rollback.py": """
        def save(path, text):
            path.write_text(text)
        """},
     "reconciler/plan/rollback.py:2: plan (reconciler/plan/) -> network or disk "
     "(calls write_text())"),
]


@pytest.mark.parametrize(("files", "expected"), [(f, e) for _, f, e in BAD],
                         ids=[name for name, _, _ in BAD])
def test_checker_names_file_line_and_arrow(tmp_path: Path, files: dict[str, str],
                                           expected: str) -> None:
    assert expected in violations(_tree(tmp_path, files))


def test_checker_passes_the_arrows_that_may_exist(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "reconciler/plan/diff.py": "from reconciler.config.resolved import Desired\n"
                                   "from assistants.kinds import Kind\n",
        "reconciler/config/resolved.py": "from assistants.canonical import canonical\n",
        "reconciler/report/render.py": "from typing import TextIO\nfrom pathlib import Path\n"
                                       "def show(out: TextIO, where: Path):\n"
                                       "    out.write(str(where))\n",
        "assistants/local/transport.py": "import httpx\nfrom assistants.local.app import app\n",
        "assistants/local/app.py": "from assistants import limits\n",
        "assistants/client.py": "import httpx\nfrom assistants.local import transport\n",
        "assistants/kinds/__init__.py": "", "assistants/canonical.py": "",
        "assistants/limits.py": "",
    })
    assert violations(root) == []


def test_checker_finds_a_bad_import_added_to_a_copy_of_this_tree(tmp_path: Path) -> None:
    for package in PACKAGES:
        shutil.copytree(REPO / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    assert violations(tmp_path) == []
    loader = tmp_path / "reconciler" / "config" / "loader.py"
    text = loader.read_text(encoding="utf-8")
    loader.write_text(text + "from reconciler.plan.model import Plan  # noqa\n",
                      encoding="utf-8")
    line = len(text.splitlines()) + 1
    found = violations(tmp_path)
    assert f"reconciler/config/loader.py:{line}: config -> plan " \
           "(imports reconciler.plan.model)" in found
    assert all("config -> plan (imports reconciler.plan.model" in v for v in found), found


def test_checker_finds_a_cycle_of_module_level_imports(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "reconciler/plan/a.py": "import json\nfrom reconciler.plan import b\n",
        "reconciler/plan/b.py": "from reconciler.plan.c import thing\n",
        "reconciler/plan/c.py": "import reconciler.plan.a\n",
    })
    assert import_cycles(root) == [
        "import cycle: reconciler.plan.a -> reconciler.plan.b (reconciler/plan/a.py:2) "
        "-> reconciler.plan.c (reconciler/plan/b.py:1) "
        "-> reconciler.plan.a (reconciler/plan/c.py:1)"]


def test_imports_that_do_not_run_on_import_make_no_cycle(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "assistants/kinds/__init__.py": """
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from assistants.kinds.agent import AGENT

            def every_kind():
                from assistants.kinds.agent import AGENT
                return [AGENT]
            """,
        "assistants/kinds/agent.py": "from assistants.kinds import Kind\n",
    })
    assert import_cycles(root) == []
