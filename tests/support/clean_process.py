"""Run a snippet of Python in a fresh interpreter and return what it prints as JSON.

For code that forks (reconciler/load_share.py): it only shares work from a process with no
other thread, which a pytest process does not promise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def run_python(code: str, *, cwd: Path | None = None, timeout: float = 120,
               env: dict[str, str] | None = None) -> Any:
    """`code`'s printed JSON; the process gets `env` and the test run's load cache (conftest.py)
    besides PYTHONPATH and PATH."""
    base = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    if "ASSISTANTS_CACHE_DIR" in os.environ:
        base["ASSISTANTS_CACHE_DIR"] = os.environ["ASSISTANTS_CACHE_DIR"]
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd or REPO,
                          capture_output=True, text=True, timeout=timeout,
                          env={**base, **(env or {})})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
