"""Writing config files in tests."""

from __future__ import annotations

from pathlib import Path


def write(path: Path, text: str) -> Path:
    """Write `text` (UTF-8) to `path`, making its directories; return `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
