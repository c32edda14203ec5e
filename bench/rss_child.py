"""Run a command and print its peak RSS as JSON: `python -m bench.rss_child CMD [ARG ...]`.

Linux keeps a process's `ru_maxrss` across execve: a process started by the harness (large,
after loading 10,000 assistants) would report the harness's high-water mark. This small process
starts the command itself, so `getrusage(RUSAGE_CHILDREN).ru_maxrss` is the command's own peak
(or this wrapper's ~10 MB at the fork, were the command smaller). The command's stdout is
dropped; it must exit 0.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys


def main(argv: list[str]) -> int:
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if done.returncode != 0:
        sys.stderr.write(done.stderr.decode(errors="replace"))
        return done.returncode
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB on Linux
    print(json.dumps({"peak": peak}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
