"""The `import` command: write YAML for objects of one kind that already exist; only reads the
server.
With `--format json` stdout holds one document (what was written and skipped) and the lines a
person reads go to stderr."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

import click

from reconciler.cli.context import RunContext
from reconciler.config.importer import ImportResult
from reconciler.words import count


def import_command(run: RunContext, *, all_: bool, ids: tuple[str, ...], out_dir: str,
                   kind_name: str, fmt: str) -> None:
    import asyncio

    from assistants.kinds import kind_named
    from reconciler.cli.environment import import_target
    from reconciler.cli.session import open_client
    from reconciler.config.importer import write_import

    kind = kind_named(kind_name)
    owner, environment = import_target(run, Path(out_dir))
    run.step = "while importing"

    async def fetch() -> list[dict[str, Any]]:
        async with open_client(run) as client:
            if all_:
                return await client.list_all(kind=kind)
            return [await client.get(i, kind=kind) for i in ids]

    result = write_import(asyncio.run(fetch()), Path(out_dir), owner=owner, explicit=bool(ids),
                          environment=environment, kind=kind)
    as_json = fmt == "json"
    _report(result, kind.name, owner, out_dir, sys.stderr if as_json else sys.stdout)
    if as_json:
        json.dump(import_document(result, kind.name, out_dir, owner), sys.stdout, indent=2,
                  ensure_ascii=False)
        sys.stdout.write("\n")


def import_document(result: ImportResult, kind: str, out_dir: str,
                    owner: str | None) -> dict[str, Any]:
    """`{"kind", "directory", "owner", "imported": [{"key", "id", "path", "extra_files",
    "warnings"}], "skipped": [...], "settings"}`."""
    return {
        "kind": kind,
        "directory": out_dir,
        "owner": owner,
        "imported": [{"key": f.key, "id": f.id, "path": str(f.path),
                      "extra_files": [str(p) for p in f.extra_files],
                      "warnings": list(f.warnings)} for f in result.files],
        "skipped": list(result.skipped),
        "settings": str(result.settings) if result.settings else None,
    }


def _report(result: ImportResult, kind: str, owner: str | None, out_dir: str,
            out: TextIO) -> None:
    for item in result.files:
        extra = "".join(f" + {p}" for p in item.extra_files)
        click.echo(f"  {item.key} ({item.id}) -> {item.path}{extra}", file=out)
        for warning in item.warnings:
            click.echo(f"warning: {warning}", err=True)
    for line in result.skipped:
        click.echo(f"skipped: {line}", err=True)
    if result.settings:
        click.echo(f"  owner {owner} -> {result.settings}", file=out)
    click.echo(f"Imported {count(len(result.files), kind)} into {out_dir}. Next: "
               f"assistants validate {out_dir}, then assistants plan {out_dir} "
               "(the first plan only adds the ownership marker).", file=out)
    if not owner and not (Path(out_dir) / "assistants.project.yaml").is_file():
        click.echo("note: no owner is set; before planning, put `owner: NAME` in "
                   f"{Path(out_dir) / 'assistants.project.yaml'} (or pass --owner, or set "
                   "ASSISTANTS_OWNER)", err=True)
