"""`assistants serve`: the embedded API over HTTP with uvicorn."""

from __future__ import annotations

import os
import signal
import socket
import sys
from pathlib import Path
from types import FrameType

import uvicorn

from assistants.local.app import create_app
from assistants.local.faults import Faults


class _Server(uvicorn.Server):
    """uvicorn re-raises a caught SIGINT/SIGTERM once shut down, so the process dies by the
    signal (a KeyboardInterrupt traceback, or exit -15). A server stopped on purpose has
    finished cleanly: shut down gracefully and exit 0 instead."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True  # a second Ctrl-C: stop waiting for open connections
        self.should_exit = True


def run_server(*, host: str, port: int, db: os.PathLike[str] | str, api_key: str | None,
               faults: Faults, log_path: str | None,
               models: frozenset[str] | None = None) -> None:
    """Serve until SIGINT/SIGTERM (uvicorn handles both and finishes in-flight requests).

    The socket is bound before the banner is printed, so the banner names the port really
    listened on (`--port 0` lets the system choose one)."""
    Path(db).parent.mkdir(parents=True, exist_ok=True)
    app = create_app(db, api_key=api_key, faults=faults, log_path=log_path, models=models)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off",
                            access_log=False)
    try:
        sock = config.bind_socket()
    except SystemExit:  # uvicorn logged why (address in use, ...) and exits 1
        app.state.store.close()
        raise
    # Accepted connections inherit TCP_NODELAY from the listener. Some uvicorn versions (0.34
    # among them; uvicorn issue 3149) bind it with proto 0, so asyncio leaves Nagle on and every
    # keep-alive request past the first waits ~40 ms for the client's delayed ACK.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    shown = f"[{host}]" if ":" in host else host
    print(f"Serving the Assistants API at http://{shown}:{sock.getsockname()[1]}/v1 (db: {db})",
          file=sys.stderr, flush=True)
    try:
        _Server(config).run(sockets=[sock])
    finally:
        sock.close()
        app.state.store.close()
