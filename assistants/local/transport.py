"""The embedded API in process: a client whose transport calls the ASGI app directly, with no
socket (`--local`). The client itself knows nothing of the embedded server: it is given this
transport like any other."""

from __future__ import annotations

import os
from typing import Any

import httpx

from assistants.client import AssistantsClient
from assistants.local.app import create_app

LOCAL_BASE = "http://local.invalid/v1"
"""The base URL of in-process requests (never resolved: the transport answers them)."""


def local_transport(db_path: os.PathLike[str] | str) -> httpx.ASGITransport:
    """A transport that serves requests from the embedded API over the SQLite file `db_path`."""
    return httpx.ASGITransport(app=create_app(db_path), raise_app_exceptions=False)


def local_client(db_path: os.PathLike[str] | str, **options: Any) -> AssistantsClient:
    """An `AssistantsClient` on the embedded API over `db_path` (`options` as for the client)."""
    client = AssistantsClient(LOCAL_BASE, {"Authorization": "Bearer local"},
                              transport=local_transport(db_path), **options)
    client.auth = "local"
    return client
