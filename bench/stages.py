"""Where the CPU of loading a file goes: each stage timed alone over the same files, against
the whole `load_file`.

The stage "libyaml" only has PyYAML's C parser turn the text into events: no nodes, no values,
no marks, no checks. Every load built on PyYAML does at least that, so it is the part of a
load no implementation on PyYAML can save.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:
    from yaml._yaml import CParser
except ImportError:  # PyYAML without libyaml: the stage is left out
    CParser = None  # type: ignore[assignment,misc]

STAGES = (  # name, and its column in the report (microseconds per file)
    ("read", "read the YAML and prompt files (us)"),
    ("libyaml", "libyaml events (us)"),
    ("parse", "parse to values, ours (us)"),
    ("validate", "validate, pydantic (us)"),
    ("load_file", "whole load of the file (us)"),
)


def load_stages(config_dir: Path, sample: int = 2000, reps: int = 3) -> dict[str, float]:
    """CPU microseconds per file for each of `STAGES` on up to `sample` documents of the
    config, best of `reps`."""
    from reconciler.config.document import YamlFile, load_file
    from reconciler.config.file_refs import PathCache
    from reconciler.config.yaml_source import parse_documents, read_text
    from reconciler.kinds.assistant import AssistantSpec

    root = config_dir.resolve()
    paths = sorted((root / "assistants").glob("*.yaml"))[:sample]
    files = [YamlFile(path, str(path), root, path) for path in paths]
    texts = [read_text(path, "")[0] or "" for path in paths]
    prompts, data = [], []  # each document as validation sees it: its prompt read
    for path, text in zip(paths, texts, strict=True):
        doc = parse_documents(text, str(path), path)[0][0].data
        prompts.append(path.parent / doc.pop("instructions_file"))
        doc["instructions"] = read_text(prompts[-1], "")[0]
        data.append(doc)

    def read() -> None:
        for path, prompt in zip(paths, prompts, strict=True):
            read_text(path, "")
            read_text(prompt, "")

    stages: dict[str, Callable[[], Any] | None] = {
        "read": read,
        "libyaml": (lambda: [_events(text) for text in texts]) if CParser else None,
        "parse": lambda: [parse_documents(text, str(path), path)
                          for text, path in zip(texts, paths, strict=True)],
        "validate": lambda: [AssistantSpec.model_validate(doc) for doc in data],
        "load_file": lambda: [load_file(file, {}, resolved) for file in files],
    }
    resolved = PathCache()  # one for the whole load, as the loader has
    out: dict[str, float] = {}
    for name, run in stages.items():
        if run is None:
            continue
        best = float("inf")
        for _ in range(reps):
            started = time.process_time()
            run()
            best = min(best, time.process_time() - started)
        out[name] = best / max(1, len(files)) * 1e6
    return out


def _events(text: str) -> None:
    parser = CParser(text)
    while parser.get_event() is not None:
        pass
