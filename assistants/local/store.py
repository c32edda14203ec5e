"""The SQLite store of the embedded API.

One connection guarded by a lock (uvicorn runs one event loop, but the in-process transports
and test clients may call from other threads), WAL mode so another process can read the same
file. Each collection is a table of the same shape (`assistants`, `agents`): `Store` is the
assistants table and `Store.agents` the agents one, on the same connection. Rows are ordered by
`(created_at, seq)`, `seq` being the insertion sequence, so pages are exact even when many
objects share a second. A delete leaves a tombstone so that a page cursor naming a
since-deleted object still marks its place.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TABLES = ("assistants", "agents")
TABLE_SCHEMA = """
CREATE TABLE IF NOT EXISTS {table} (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS {table}_order ON {table} (created_at, seq);
"""
SCHEMA = "".join(TABLE_SCHEMA.format(table=table) for table in TABLES)


class UnknownCursor(LookupError):
    """A page cursor that names no object this collection ever held."""


@dataclass(frozen=True)
class Page:
    records: list[dict[str, Any]]
    has_more: bool


class Collection:
    """One table of the store: insert, read, replace, delete and page its JSON records."""

    def __init__(self, db: sqlite3.Connection, lock: threading.Lock, table: str):
        if table not in TABLES:
            raise ValueError(f"no such collection: {table}")
        self._db, self._lock, self.table = db, lock, table

    def insert(self, record: dict[str, Any]) -> None:
        self.insert_many([record])

    def insert_many(self, records: Iterable[dict[str, Any]]) -> None:
        """Insert records in order, in one transaction (fast seeding for tests and benchmarks)."""
        rows = [(r["id"], int(r["created_at"]), json.dumps(r)) for r in records]
        with self._lock:
            with self._db:
                self._db.execute("BEGIN")
                self._db.executemany(
                    f"INSERT INTO {self.table} (id, created_at, record) VALUES (?, ?, ?)", rows)

    def get(self, object_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT record FROM {self.table} WHERE id = ? AND deleted = 0", (object_id,)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def replace(self, record: dict[str, Any]) -> bool:
        with self._lock:
            cur = self._db.execute(
                f"UPDATE {self.table} SET record = ? WHERE id = ? AND deleted = 0",
                (json.dumps(record), record["id"]))
        return cur.rowcount == 1

    def delete(self, object_id: str) -> bool:
        with self._lock:
            cur = self._db.execute(
                f"UPDATE {self.table} SET deleted = 1 WHERE id = ? AND deleted = 0", (object_id,))
        return cur.rowcount == 1

    def count(self) -> int:
        with self._lock:
            return self._db.execute(
                f"SELECT COUNT(*) FROM {self.table} WHERE deleted = 0").fetchone()[0]

    def page(self, *, limit: int, order: str = "desc", after: str | None = None,
             before: str | None = None, cursor_by_id: bool = False) -> Page:
        """Up to `limit` live records in `order`, strictly after `after` and strictly before
        `before` (both in list order). With only `before`, the page nearest the cursor.

        `cursor_by_id` is a fault (`Faults.skip_paging`): rows are still sorted by
        `(created_at, seq)`, but a cursor is compared as `(created_at, id)`, ids as strings,
        as a real server does. Within one second, a page then skips the assistants after the
        cursor whose id sorts below the cursor's, and repeats those before it whose id sorts
        above."""
        desc = order == "desc"
        column = "id" if cursor_by_id else "seq"
        with self._lock:
            where, args = ["deleted = 0"], []
            for cursor, later in ((after, not desc), (before, desc)):
                if cursor is None:
                    continue
                key = self._db.execute(
                    f"SELECT created_at, {column} FROM {self.table} WHERE id = ?",
                    (cursor,)).fetchone()
                if key is None:
                    raise UnknownCursor(cursor)
                where.append(f"(created_at, {column}) {'>' if later else '<'} (?, ?)")
                args.extend(key)
            # Walk away from `after` normally; from `before` only when it is the sole cursor.
            backwards = before is not None and after is None
            direction = "DESC" if desc != backwards else "ASC"
            rows = self._db.execute(
                f"SELECT record FROM {self.table} WHERE {' AND '.join(where)} "
                f"ORDER BY created_at {direction}, seq {direction} LIMIT ?",
                (*args, limit + 1),
            ).fetchall()
        records = [json.loads(row[0]) for row in rows[:limit]]
        if backwards:
            records.reverse()
        return Page(records, len(rows) > limit)


class Store(Collection):
    """The SQLite file: the assistants collection itself, and `agents` beside it."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA busy_timeout = 5000")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.executescript(SCHEMA)
        lock = threading.Lock()
        super().__init__(db, lock, "assistants")
        self.agents = Collection(db, lock, "agents")

    def close(self) -> None:
        with self._lock:
            self._db.close()
