"""The embedded API in process: a transport that calls the ASGI app directly, with no socket
(`--local`). Whatever client is given it knows nothing of the embedded server, and this
package never imports a client (`reconciler/cli/local_client.py` joins the two)."""

from __future__ import annotations

import os

import httpx

from assistants.local.app import create_app

LOCAL_BASE = "http://local.invalid/v1"
"""The base URL of in-process requests (never resolved: the transport answers them)."""


def local_transport(db_path: os.PathLike[str] | str) -> httpx.ASGITransport:
    """A transport that serves requests from the embedded API over the SQLite file `db_path`."""
    return httpx.ASGITransport(app=create_app(db_path), raise_app_exceptions=False)
