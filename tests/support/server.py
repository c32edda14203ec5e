"""Start `assistants serve` as a real subprocess on a free loopback port, for end-to-end tests.

    handle = start_server(tmp_path, latency_ms=50, seed=1)
    httpx.get(handle.base_url + "/assistants", headers=handle.headers)
    handle.log_entries()      # the request log, parsed
    handle.restart()          # same db, same port
    handle.stop()

Keyword options map to CLI flags: `fail_after_rate=0.5` -> `--fail-after-rate 0.5`; `True` is
a bare flag; `None` or `False` leaves the flag out.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from assistants.local.requestlog import read_log

DEFAULT_KEY = "sk-test"
START_TIMEOUT = 15.0


def free_port(host: str = "127.0.0.1") -> int:
    """A port the OS just handed out for `host` (bind port 0, read it, release it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def cli_flags(options: dict[str, Any]) -> list[str]:
    flags: list[str] = []
    for name, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + name.replace("_", "-")
        flags.extend([flag] if value is True else [flag, str(value)])
    return flags


class ServerHandle:
    """A running `assistants serve` subprocess and where it keeps its data."""

    def __init__(self, workdir: Path, *, host: str = "127.0.0.1", **options: Any):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.host = host
        self.db_path = Path(options.pop("db", self.workdir / "local.db"))
        self.log_path = Path(options.pop("log", self.workdir / "requests.jsonl"))
        self.api_key: str | None = options.get("api_key")
        self.options = options
        self.port = free_port(host)
        self.process: subprocess.Popen[bytes] | None = None
        self.stderr_path = self.workdir / "server.stderr"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    @property
    def headers(self) -> dict[str, str]:
        """Headers a well-behaved client sends: a Bearer key and the v2 beta header."""
        return {"Authorization": f"Bearer {self.api_key or DEFAULT_KEY}",
                "OpenAI-Beta": "assistants=v2"}

    def client(self, **kwargs: Any) -> httpx.Client:
        """An `httpx.Client` on `base_url` with `headers`; close it (or use `with`)."""
        return httpx.Client(base_url=self.base_url, headers=self.headers, **kwargs)

    def command(self) -> list[str]:
        return [sys.executable, "-m", "reconciler.cli.main", "serve", "--host", self.host,
                "--port", str(self.port), "--db", str(self.db_path), "--log", str(self.log_path),
                *cli_flags(self.options)]

    def start(self) -> ServerHandle:
        if self.process is not None:
            raise RuntimeError("server already running")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with self.stderr_path.open("ab") as err:
            self.process = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL,
                                            stderr=err, env=env)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n"
                                   f"{self.stderr()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.01)  # a refused connect costs nothing; the start ~0.2 s
        self.stop()
        raise RuntimeError(f"server did not answer within {START_TIMEOUT}s:\n{self.stderr()}")

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM, then wait (SIGKILL past `timeout`); returns the exit code."""
        process, self.process = self.process, None
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return process.returncode

    def terminate(self) -> subprocess.Popen[bytes] | None:
        """SIGTERM without waiting: the process to `reap` later (uvicorn takes ~0.15 s to shut
        down, which a test's teardown need not spend)."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
        return process

    def restart(self) -> ServerHandle:
        """Stop and start again on the same db, log and port."""
        self.stop()
        return self.start()

    def log_entries(self) -> list[dict[str, Any]]:
        """Every request the server logged so far (all runs on this log file)."""
        return read_log(self.log_path)

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def reap(processes: list[subprocess.Popen[bytes]], timeout: float = 10.0) -> None:
    """Wait for terminated servers to exit (SIGKILL past `timeout`)."""
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_server(workdir: Path, **options: Any) -> ServerHandle:
    """A started `ServerHandle`; options are `assistants serve` flags (see the module doc)."""
    return ServerHandle(workdir, **options).start()
