"""A fleet of N assistants from one template and a CSV, against N files of the same assistants:
how long `load_config` takes for each (best of `--reps`), and the ratio.

    python -m bench.fleet                  # N = 10,000, 3 reps
    python -m bench.fleet --size 1000 --reps 1

Both configs hold the same assistants (name, model, description, instructions, a function tool
with inline parameters, tool_resources, three metadata pairs, temperature), so the loads must
produce equal specs; the script checks that before timing.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from reconciler.config.loader import load_config

BODY = """\
name: Support (${T})
model: gpt-4o-mini
description: Answers support questions for ${T} in ${R}.
instructions: |
  You help the customers of ${T}. Answer in the customer's language, cite the policy you use,
  and hand over to a human when asked twice.
tools:
  - type: file_search
  - type: function
    function:
      name: lookup_order
      description: Find an order of ${T} by its number.
      parameters:
        type: object
        properties: {order: {type: string}}
        required: [order]
tool_resources:
  file_search: {vector_store_ids: ["vs_${T}"]}
metadata: {tenant: "${T}", region: "${R}", tier: standard}
temperature: 0.3
"""


def write_fleet(root: Path, n: int) -> None:
    root.mkdir(parents=True)
    (root / "assistants.project.yaml").write_text("owner: bench\n", encoding="utf-8")
    template = "key: support-${each.tenant}\nfor_each_file: tenants.csv\n" + BODY.replace(
        "${T}", "${each.tenant}").replace("${R}", "${each.region}")
    (root / "support.yaml").write_text(template, encoding="utf-8")
    rows = "".join(f"t{i:05d},{'eu' if i % 2 else 'us'}\n" for i in range(n))
    (root / "tenants.csv").write_text("tenant,region\n" + rows, encoding="utf-8")


def write_files(root: Path, n: int) -> None:
    (root / "assistants").mkdir(parents=True)
    (root / "assistants.project.yaml").write_text("owner: bench\n", encoding="utf-8")
    for i in range(n):
        tenant, region = f"t{i:05d}", "eu" if i % 2 else "us"
        text = f"key: support-{tenant}\n" + BODY.replace("${T}", tenant).replace("${R}", region)
        (root / "assistants" / f"{tenant}.yaml").write_text(text, encoding="utf-8")


def best(root: Path, reps: int) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        load_config([root], env={})
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        fleet, files = Path(tmp) / "fleet", Path(tmp) / "files"
        write_fleet(fleet, args.size)
        write_files(files, args.size)
        old = Path.cwd()
        os.chdir(tmp)
        try:
            a = {d.key: d.spec for d in load_config(["fleet"], env={}).documents}
            b = {d.key: d.spec for d in load_config(["files"], env={}).documents}
            assert a == b and len(a) == args.size, "the fleet and the files differ"
            fleet_s, files_s = best(Path("fleet"), args.reps), best(Path("files"), args.reps)
        finally:
            os.chdir(old)
    print(f"N = {args.size:,}: fleet (1 template + CSV) {fleet_s:.2f} s, {args.size:,} files "
          f"{files_s:.2f} s, fleet / files = {fleet_s / files_s:.2f}")
    return {"fleet_s": fleet_s, "files_s": files_s}


if __name__ == "__main__":
    main()
