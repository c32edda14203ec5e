"""Load a config as `assistants plan` does, in a fresh process, and print how long the load
took as JSON: `python -m bench.load_child DIR`.

A plan loads and resolves its whole config before its first request (a bad config sends
none). Timed inside a process of its own, started beside the plan's, the load runs in the same
conditions as the plan's (a fresh heap, the same imports before it), which a load timed in the
large harness process would not.
"""

from __future__ import annotations

import json
import sys
import time


def main(argv: list[str]) -> int:
    from reconciler.cli.context import RunContext
    from reconciler.cli.session import load

    started = time.perf_counter()
    _, state = load(RunContext(), argv)
    seconds = time.perf_counter() - started
    print(json.dumps({"load": seconds, "documents": len(state.desired)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
