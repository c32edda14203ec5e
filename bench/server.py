"""`assistants serve --latency-ms N` as a subprocess on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

API_KEY = "sk-bench"
ROOT = Path(__file__).resolve().parent.parent  # the checkout whose code every process runs


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stack() -> str:
    """The HTTP stack a figure was measured with: the server's uvicorn and the clients' httpx
    and httpcore (uvicorn 0.34's listener left Nagle on: ~43 ms per keep-alive request until
    `assistants serve` set TCP_NODELAY itself)."""
    from importlib.metadata import PackageNotFoundError, version

    def of(name: str) -> str:
        try:
            return f"{name} {version(name)}"
        except PackageNotFoundError:
            return f"{name} (not installed)"

    return ", ".join(of(name) for name in ("uvicorn", "httpx", "httpcore"))


class Server:
    def __init__(self, db: Path, latency_ms: int, log_path: Path | None = None):
        self.db, self.latency_ms, self.log_path = db, latency_ms, log_path
        self.port = _free_port()
        self.stderr_path = db.with_suffix(".stderr")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {API_KEY}", "OpenAI-Beta": "assistants=v2"}

    def start(self) -> Server:
        cmd = [sys.executable, "-m", "reconciler.cli", "serve", "--host", "127.0.0.1",
               "--port", str(self.port), "--db", str(self.db),
               "--latency-ms", str(self.latency_ms)]
        if self.log_path is not None:
            cmd += ["--log", str(self.log_path)]
        with self.stderr_path.open("ab") as err:
            self.process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err,
                                            env={**os.environ, "PYTHONUNBUFFERED": "1",
                                                 "PYTHONPATH": str(ROOT)}, cwd=ROOT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.stderr_path.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
