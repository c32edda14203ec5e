"""The request log: one JSON line per request, kept in memory and appended to a file.

Entries hold method, path, raw query, parsed JSON body (or null) and status; never a header,
so never a credential.
"""

from __future__ import annotations

import json
import os
import threading
from collections import deque
from pathlib import Path
from typing import Any

MEMORY_ENTRIES = 10_000


class RequestLog:
    def __init__(self, path: str | os.PathLike[str] | None = None):
        self.path = Path(path) if path is not None else None
        self.entries: deque[dict[str, Any]] = deque(maxlen=MEMORY_ENTRIES)
        self._lock = threading.Lock()
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)

    def record(self, method: str, path: str, query: str, body: Any, status: int) -> None:
        entry = {"method": method, "path": path, "query": query, "body": body, "status": status}
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            self.entries.append(entry)
            if self.path is not None:
                with self.path.open("a", encoding="utf-8") as fh:
                    fh.write(line)


def read_log(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The entries of a log file (none when it does not exist yet)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in text.splitlines() if line.strip()]
