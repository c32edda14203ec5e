"""The embedded API (`/assistants` and `/agents`): an ASGI app over a SQLite store, servable
with uvicorn."""

from __future__ import annotations

from assistants.local.app import create_app
from assistants.local.faults import Faults

__all__ = ["Faults", "create_app"]
