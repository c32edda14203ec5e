"""The mixed world of `python -m bench.kinds`: one config of N agents (`kind: agent`) and M
assistants, and the live twins of both in one embedded server's SQLite store, all carrying our
owner's marker, so that a plan of the config is all noops.

The assistants are bench/workload.py's (the same documents and ~4 KB prompts). An agent document
says what a team's saved agent does: a model (a reasoning one for a third of them), a ~4 KB
prompt file, a function tool with an inline JSON Schema, web search limited to one domain, an
MCP server over HTTP, three metadata pairs, and a reasoning effort and a text verbosity on every
other one (the rest leave them to the server, which fills them in: the plan must accept those).
Everything is deterministic in the index. A live twin is made through the server's own create
path (`new_agent` / `new_assistant`) from the body `assistants plan` would send, the create
body of the resolved document (`load_config(...).resolve(OWNER).desired[i].written`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.workload import OWNER, TEAMS, key_of, prompt, write_config

AGENT_MODELS = ("gpt-5-mini", "gpt-4.1", "gpt-4o")
CREATED = 1_700_000_000  # the twins' created_at: one a second, agents and assistants alike

_PARAMETERS = {
    "type": "object",
    "properties": {
        "ticket_id": {"type": "string", "description": "The ticket's id, e.g. T-12345."},
        "fields": {"type": "array", "items": {"type": "string"},
                   "description": "Which fields of the ticket to return."},
    },
    "required": ["ticket_id"],
}


def agent_key(i: int) -> str:
    return f"agent-{i:05d}"


def agent_document(i: int) -> str:
    team = TEAMS[i % len(TEAMS)]
    settings = ("reasoning: {effort: low}\ntext: {verbosity: low}\n" if i % 2 == 0 else "")
    return (
        "kind: agent\n"
        f"key: {agent_key(i)}\n"
        f"name: {team.title()} agent {i}\n"
        f"model: {AGENT_MODELS[i % len(AGENT_MODELS)]}\n"
        f"instructions_file: ../prompts/{agent_key(i)}.md\n"
        "tools:\n"
        "  - type: function\n"
        "    name: lookup_ticket\n"
        "    description: Look up a ticket.\n"
        f"    parameters: {json.dumps(_PARAMETERS)}\n"
        "  - type: web_search\n"
        f"    allowed_domains: [{team}.handbook.example.com]\n"
        "  - type: mcp\n"
        f"    server_label: {team.replace('-', '_')}_tickets\n"
        f"    transport: {{type: http, server_url: 'https://mcp.example.com/{team}'}}\n"
        "    connection_origin: service\n"
        "metadata:\n"
        f"  team: {team}\n"
        f"  cost-center: cc-{i % 97:03d}\n"
        f"  tier: {'gold' if i % 3 == 0 else 'silver'}\n"
        f"{settings}"
    )


def write_mixed_config(root: Path, agents: int, assistants: int) -> Path:
    """`root/` with the settings file, `assistants/asst-*.yaml` (bench/workload.py's),
    `agents/agent-*.yaml` and the prompts of both under `prompts/`."""
    write_config(root, assistants)
    (root / "agents").mkdir(exist_ok=True)
    for i in range(agents):
        (root / "prompts" / f"{agent_key(i)}.md").write_text(
            prompt(i).replace("# Assistant", "# Agent", 1), encoding="utf-8")
        (root / "agents" / f"{agent_key(i)}.yaml").write_text(agent_document(i),
                                                              encoding="utf-8")
    return root


def twin_bodies(config_root: Path) -> dict[str, list[dict[str, Any]]]:
    """The create body of every resolved document of the config, by kind name, in key order
    (our owner's marker in each)."""
    from reconciler.config.loader import load_config

    bodies: dict[str, list[tuple[str, dict[str, Any]]]] = {"agent": [], "assistant": []}
    for desired in load_config([str(config_root)]).resolve(OWNER).desired:
        bodies[desired.kind.name].append((desired.key, dict(desired.written)))
    return {name: [body for _, body in sorted(pairs, key=lambda p: p[0])]
            for name, pairs in bodies.items()}


def seed_mixed(db_path: Path, config_root: Path) -> dict[str, int]:
    """Insert the live twin of every document of the config into the store at `db_path`:
    assistants into its assistants table, agents into `store.agents`. Returns how many of
    each."""
    from assistants.local.agent_objects import new_agent
    from assistants.local.objects import new_assistant
    from assistants.local.store import Store

    bodies = twin_bodies(config_root)
    agents = [new_agent(body, created_at=CREATED + i) for i, body in enumerate(bodies["agent"])]
    assistants = [new_assistant(body, created_at=CREATED + i)
                  for i, body in enumerate(bodies["assistant"])]
    store = Store(db_path)
    try:
        store.insert_many(assistants)
        store.agents.insert_many(agents)
    finally:
        store.close()
    return {"agent": len(agents), "assistant": len(assistants)}


__all__ = ["agent_document", "agent_key", "key_of", "seed_mixed", "twin_bodies",
           "write_mixed_config"]
