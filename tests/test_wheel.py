"""The package as a user gets it: `pip wheel` builds a wheel from the source files alone, it
installs into a new virtualenv, and the installed `assistants` runs every command, far from this
checkout (no PYTHONPATH, another directory).

The virtualenv sees this interpreter's site-packages (`--system-site-packages`) so that the
dependencies are not downloaded again; the wheel itself goes in with `--no-deps` and is what
gets imported (asserted). About 20 s; `-m "not wheel"` skips it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "assistants", "reconciler")

pytestmark = [pytest.mark.wheel, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin/ directory of a virtualenv holding the freshly built wheel."""
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    src.mkdir()
    for name in SOURCES:  # a copy: building in the checkout would leave build/ behind
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, src / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(REPO / name, src / name)
    dist = root / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w",
                    str(dist), str(src)], check=True, capture_output=True, timeout=240)
    (wheel,) = dist.glob("assistants_reconciler-*-py3-none-any.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip",
                    str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--quiet",
                    "--force-reinstall", str(wheel)], check=True, capture_output=True,
                   timeout=120)
    return venv / "bin"


def run(bin_dir: Path, *args: str, cwd: Path, **kw) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "OPENAI_API_KEY", "PORTKEY_API_KEY")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    return subprocess.run([str(bin_dir / "assistants"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60, **kw)


def test_the_wheel_carries_its_metadata_and_license(installed):
    site = next(installed.parent.glob("lib/python3*/site-packages"))
    (info,) = site.glob("assistants_reconciler-*.dist-info")
    meta = (info / "METADATA").read_text()
    for line in ("License-Expression: MIT", "Requires-Python: >=3.11", "Project-URL: Homepage",
                 "Classifier: Programming Language :: Python :: 3.11", "Requires-Dist: httpx"):
        assert line in meta
    assert "MIT License" in (info / "licenses" / "LICENSE").read_text()
    code = ("import assistants, reconciler; print(reconciler.__file__); "
            "print(assistants.__file__)")
    where = subprocess.run([str(installed / "python"), "-c", code], cwd=site.parent,
                           env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
                           capture_output=True, text=True, check=True).stdout.split()
    assert all(Path(p).is_relative_to(site) for p in where), where


def test_the_installed_tool_runs_every_command(installed, tmp_path):
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    work = tmp_path
    local = ("--local", "--db", str(work / "local.db"), "--owner", "wheel")

    def ok(*args: str) -> subprocess.CompletedProcess[str]:
        proc = run(installed, *args, cwd=work)
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
        return proc

    assert ok("--version").stdout.startswith("assistants, version ")
    assert ok("validate", "examples/").stdout == "Valid: 4 assistants and 1 agent in examples\n"
    assert json.loads(ok("schema").stdout)["type"] == "object"
    plan = run(installed, "plan", "examples/", *local, "--out", "plan.json",
               "--detailed-exitcode", cwd=work)
    assert plan.returncode == 2, plan.stderr
    assert "Plan: 5 to create" in ok("show", "plan.json").stdout
    applied = json.loads(ok("apply", "--plan", "plan.json", *local[:3], "--format",
                            "json").stdout)
    assert applied["summary"]["created"] == 5
    assert ok("drift", "examples/", *local).stdout.startswith("Endpoint local:")
    ok("import", "--all", "--out", "imported", *local)
    assert len(list((work / "imported").rglob("*.yaml"))) >= 4
    ok("rollback", applied["journal"], "--out", "rollback.json", *local[:3])
    assert json.loads((work / "rollback.json").read_text())["summary"]["delete"] == 5

    server = subprocess.Popen([str(installed / "assistants"), "serve", "--port", "0", "--db",
                               str(work / "served.db")], cwd=work, stderr=subprocess.PIPE,
                              text=True)
    try:
        banner = server.stderr.readline()
        assert banner.startswith("Serving the Assistants API at http://127.0.0.1:"), banner
        url = banner.split()[5]
        listed = httpx.get(f"{url}/assistants", timeout=10,
                           headers={"Authorization": "Bearer k", "OpenAI-Beta": "assistants=v2"})
        assert listed.json()["object"] == "list"
    finally:
        server.terminate()
        server.wait(10)
