"""The benchmark's world: N assistants as a config directory (YAML + Markdown prompts), or a
subset of them, and the same N as live records in the embedded server's SQLite store (those the
config leaves out carry another owner's marker: another team's assistants in the workspace).

Everything is deterministic in the index `i`, so two runs build the same files. The live records
are made through the server's own create path (`new_assistant`, which fills in the server's
defaults) from the body `assistants plan` would send, so a fresh plan of the config finds nothing
to change.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

OWNER = "bench"
OTHER_OWNER = "other-team"  # the live assistants a subset config does not manage
MODELS = ("gpt-4o", "gpt-4o-mini", "gpt-4.1")
TEAMS = ("people-ops", "finance", "support", "sales", "legal", "it", "platform")

_PARAGRAPH = (
    "You answer questions for colleagues in the {team} team. Be precise, cite the policy "
    "section you rely on, and say so plainly when the handbook does not cover a case. Never "
    "guess figures: look them up with the tools below, and keep personal data out of answers "
    "unless the person asking is the person concerned. Assistant number {i} keeps its answers "
    "short: three sentences, then a bulleted list when steps are involved."
)


def key_of(i: int) -> str:
    return f"asst-{i:05d}"


def prompt(i: int, *, changed: bool = False) -> str:
    """About 4 KB of Markdown, different for every assistant."""
    team = TEAMS[i % len(TEAMS)]
    parts = [f"# Assistant {i}: {team} helper\n"]
    section = 0
    while sum(len(p) for p in parts) < 3900:
        section += 1
        body = textwrap.fill(_PARAGRAPH.format(team=team, i=i), width=96)
        parts.append(f"\n## Section {section}\n\n{body}\n\n- Rule {section}.1: be kind.\n"
                     f"- Rule {section}.2: escalate to #{team}-help after two failed tries.\n")
    if changed:
        parts.append("\n## Changed\n\nThis line was added by the 1% change.\n")
    return "".join(parts)


def document(i: int, *, changed: bool = False) -> str:
    team = TEAMS[i % len(TEAMS)]
    temperature = 0.7 if changed else round(0.1 + (i % 5) * 0.1, 1)
    parameters = {
        "type": "object",
        "properties": {
            "employee_id": {"type": "string", "description": "The employee's id, e.g. E12345."},
            "fields": {"type": "array", "items": {"type": "string"},
                       "description": "Which fields of the record to return."},
        },
        "required": ["employee_id"],
    }
    return (
        f"key: {key_of(i)}\n"
        f"name: {team.title()} helper {i}\n"
        f"model: {MODELS[i % len(MODELS)]}\n"
        f"description: Answers {team} questions from the handbook (assistant {i}).\n"
        f"instructions_file: prompts/{key_of(i)}.md\n"
        "tools:\n"
        "  - type: file_search\n"
        "    file_search: {max_num_results: 8}\n"
        "  - type: function\n"
        "    function:\n"
        "      name: lookup_employee\n"
        "      description: Look up an employee record.\n"
        f"      parameters: {json.dumps(parameters)}\n"
        "  - type: code_interpreter\n"
        "tool_resources:\n"
        f"  file_search: {{vector_store_ids: [vs_{team.replace('-', '_')}_handbook]}}\n"
        "metadata:\n"
        f"  team: {team}\n"
        f"  cost-center: cc-{i % 97:03d}\n"
        f"  tier: {'gold' if i % 3 == 0 else 'silver'}\n"
        f"temperature: {temperature}\n"
    )


def write_config(root: Path, n: int, changed: Iterable[int] = (),
                 indices: Iterable[int] | None = None) -> Path:
    """`root/` with the settings file, `assistants/*.yaml` and `prompts/*.md` for the indices
    (all of range(n) by default); those in `changed` get a different temperature and one more
    paragraph of instructions."""
    changed = set(changed)
    (root / "assistants").mkdir(parents=True, exist_ok=True)
    (root / "prompts").mkdir(exist_ok=True)
    (root / "assistants.project.yaml").write_text(f"owner: {OWNER}\n", encoding="utf-8")
    for i in range(n) if indices is None else indices:
        (root / "prompts" / f"{key_of(i)}.md").write_text(prompt(i, changed=i in changed),
                                                         encoding="utf-8")
        (root / "assistants" / f"{key_of(i)}.yaml").write_text(
            document(i, changed=i in changed).replace("instructions_file: prompts/",
                                                      "instructions_file: ../prompts/"),
            encoding="utf-8")
    return root


def spread(n: int, count: int) -> list[int]:
    """`count` evenly spread indices of range(n)."""
    step = n / count if count else 1
    return sorted({int(k * step) for k in range(min(count, n))})


def changed_indices(n: int, share: float) -> list[int]:
    """Evenly spread indices, `share` of `n` (at least one when share > 0)."""
    return spread(n, max(1, round(n * share)) if share > 0 else 0)


def live_twins(config_root: Path) -> list[Any]:
    """The desired assistants of the full config at `config_root`, in index order."""
    from reconciler.config.loader import load_config

    return list(load_config([str(config_root)]).documents)


def seed_store(db_path: Path, config_root: Path, managed: Iterable[int] | None = None,
               twins: list[Any] | None = None) -> int:
    """Insert the live twin of every assistant of the config (as the server would have created
    it) into the store at `db_path`; those whose index is not in `managed` (when given) carry
    `OTHER_OWNER`'s marker. Returns how many."""
    from assistants.local.objects import new_assistant
    from assistants.local.store import Store
    from reconciler.marker import desired_fields, write_only_values

    kept = None if managed is None else set(managed)
    records = []
    for i, desired in enumerate(twins if twins is not None else live_twins(config_root)):
        owner = OWNER if kept is None or i in kept else OTHER_OWNER
        body = {**desired_fields(desired.spec, owner), **write_only_values(desired.spec)}
        records.append(new_assistant(body, created_at=1_700_000_000 + i))
    store = Store(db_path)
    try:
        store.insert_many(records)
    finally:
        store.close()
    return len(records)
