"""A cache of loaded YAML files: a file loaded before, whose text and referenced files have not
changed, is not parsed and validated again.

Each entry is keyed by the sha256 of the file's text and of the code that loads it (every
module of both packages, and the PyYAML and pydantic versions), not by where the file is. It
holds each document's validated spec as JSON (without instructions read from a file), its
digest, where its key is, and every `*_file` it read: the path as written and the sha256 of the
text. A hit is used only when each of those paths may still be read from where the file is now
(inside the config root, as the loader requires) and holds the same text; then the entry
stands for the file: it holds what planning needs of each document (desired.summary_of), and a
spec is validated back from its JSON only when a change needs it.

Only files that loaded without a problem, hold no `${VAR}` (so no variable's value is ever
written to disk) and hold plain JSON data are stored (load_file.py). The cache is a SQLite
database in `$ASSISTANTS_CACHE_DIR`, else `$XDG_CACHE_HOME/assistants-reconciler`, else
`~/.cache/assistants-reconciler`; `ASSISTANTS_NO_CACHE=1` turns it off. Any failure to read or
write it (a read-only home, a damaged file, another run holding the lock) only means files are
loaded the long way; a damaged file is replaced, a locked one left alone.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sqlite3
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

FORMAT = 1
"""Changes when the entry layout changes (the code's hash covers everything else)."""

RETENTION_SECONDS = 30 * 24 * 3600
"""Entries not written again for this long are dropped when new ones are saved."""

_BUSY_TIMEOUT_SECONDS = 1.0


def cache_dir(env: Mapping[str, str]) -> Path | None:
    """Where the cache lives, or None when it is turned off."""
    if env.get("ASSISTANTS_NO_CACHE", "").strip() not in ("", "0"):
        return None
    explicit = env.get("ASSISTANTS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = env.get("XDG_CACHE_HOME")
    if not base:
        home = os.path.expanduser("~")
        if not os.path.isabs(home):  # no HOME and no passwd entry: no cache, not `./~/`
            return None
        base = os.path.join(home, ".cache")
    return Path(base) / "assistants-reconciler"


@functools.lru_cache(maxsize=1)
def code_digest() -> bytes:
    """sha256 of every module of `assistants` and `reconciler` and of the parser versions: a
    change to any of them (an upgrade, or an edit in a development checkout) misses every
    entry written before it."""
    import pydantic
    import yaml

    import assistants
    import reconciler

    digest = hashlib.sha256(f"{FORMAT}\0{yaml.__version__}\0{pydantic.VERSION}\0".encode())
    for package in (assistants, reconciler):
        directory = Path(package.__file__).parent
        for module in sorted(directory.glob("*.py")):
            digest.update(module.name.encode() + b"\0" + module.read_bytes() + b"\0")
    return digest.digest()


def entry_key(text: str) -> bytes:
    """A YAML file's key: its text and the code, not where it is (a checkout elsewhere, a moved
    file or a CI runner's workspace finds the same entry; the loader checks each file it names
    from where it is now)."""
    return hashlib.sha256(code_digest() + text.encode("utf-8", "surrogatepass")).digest()


class LoadCache:
    """The entries of one cache file. Each process opens its own connection (a connection must
    not cross a fork: the loader closes this process's before the load share's child starts,
    and a connection made by another process is never used or closed); only the process that
    made the cache writes, in one transaction at the end of a load."""

    def __init__(self, directory: Path):
        self.path = directory / f"load-v{FORMAT}.sqlite"
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self._broken = False  # unusable for this load (locked, unwritable, ...)
        self._corrupt = False  # to be replaced by a new file when the entries are saved
        self._inherited: list[sqlite3.Connection] = []
        self._empty = False  # held no entry when this process opened it: no lookups then

    def get(self, key: bytes) -> str | None:
        connection = self._connect()
        if connection is None or self._empty:
            return None
        try:
            row = connection.execute("SELECT entry FROM entries WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as err:
            self._failed(err)
            return None
        return None if row is None or not isinstance(row[0], str) else row[0]

    def save(self, entries: Iterable[tuple[bytes, str]]) -> None:
        """Store new entries (key, text) and drop those not written for a long time."""
        rows = list(entries)
        if self._corrupt:
            self.close()
            _remove(self.path)
            self._corrupt = self._broken = False
        connection = self._connect()
        if connection is None or not rows:
            return
        now = int(time.time())
        try:
            connection.commit()  # the reads' transaction
            with connection:
                connection.executemany(
                    "INSERT OR REPLACE INTO entries (key, entry, written) VALUES (?, ?, ?)",
                    [(key, entry, now) for key, entry in rows])
                connection.execute("DELETE FROM entries WHERE written < ?",
                                   (now - RETENTION_SECONDS,))
            self._empty = False
        except sqlite3.Error as err:
            self._failed(err)

    def close(self) -> None:
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection = None

    def _connect(self) -> sqlite3.Connection | None:
        if self._broken:
            return None
        if self._connection is not None:
            if self._pid == os.getpid():
                return self._connection
            # Made before a fork: closing it here could undo the other process's locks.
            self._inherited.append(self._connection)
        self._connection, self._pid = None, os.getpid()
        try:
            self._begin()
        except (OSError, sqlite3.Error) as err:
            self._connection = None
            self._failed(err)
            if self._corrupt:  # not a database at all: start a new one now
                _remove(self.path)
                self._corrupt = self._broken = False
                try:
                    self._begin()
                except (OSError, sqlite3.Error):
                    self._connection, self._broken = None, True
        return self._connection

    def _begin(self) -> None:
        """Open the file and start the load's reads, in one transaction (faster); a first run
        finds it empty and looks nothing up."""
        connection = _open(self.path)
        try:
            connection.execute("BEGIN")
            found = connection.execute("SELECT EXISTS (SELECT 1 FROM entries)").fetchone()
        except sqlite3.Error:
            connection.close()  # now: a damaged file is removed next, and then made again
            raise
        self._connection, self._empty = connection, not found[0]

    def _failed(self, err: Exception) -> None:
        """The cache is not used for the rest of this load; a damaged file is also replaced
        (but never one another run merely holds locked)."""
        self._broken = True
        if getattr(err, "sqlite_errorname", None) in ("SQLITE_NOTADB", "SQLITE_CORRUPT"):
            self._corrupt = True


def _remove(path: Path) -> None:
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm", f"{path.name}-journal"):
        try:
            (path.parent / name).unlink()
        except OSError:
            pass


def _open(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_SECONDS)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        # A rowid table: entries of about 1 KB would each spill onto an overflow page of an
        # index b-tree (which a WITHOUT ROWID table is), four times the size and the reads.
        connection.execute("CREATE TABLE IF NOT EXISTS entries (key BLOB PRIMARY KEY, "
                           "entry TEXT NOT NULL, written INTEGER NOT NULL)")
        connection.execute("CREATE INDEX IF NOT EXISTS entries_written ON entries (written)")
    except sqlite3.Error:
        connection.close()
        raise
    return connection


def open_cache() -> LoadCache | None:
    """The cache the process environment names, or None when it is turned off. (Not the
    variables a config substitutes: those may be given apart from the environment.)"""
    directory = cache_dir(os.environ)
    return None if directory is None else LoadCache(directory)
