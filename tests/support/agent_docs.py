"""Agent documents for end-to-end tests, and reading `/agents` of an `assistants serve`.

    folder = project(tmp_path / "cfg", owner="conv")       # settings file + schemas/
    write_doc(folder, "support.yaml", full_agent("support-acme"))
    live = live_agents(handle)                            # every agent on the server, asc
    by_key(live)["support-acme"]                          # by this or any owner's marker key

`full_agent` uses every tool type and every setting of AGENTS-FACTS; `bare_agent` omits every
setting the server resolves.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import yaml

from reconciler.marker import live_marker

AGENT_BETA = {"OpenAI-Beta": "agents=v1"}
SETTINGS = ("reasoning", "text", "service_tier", "multi_agent")

LOOKUP_PARAMS = {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}
ANSWER_SCHEMA = {"type": "object", "properties": {"answer": {"type": "string"}},
                 "required": ["answer"], "additionalProperties": False}


def env_for(handle: Any, owner: str, **extra: str) -> dict[str, str]:
    """The environment of a CLI run against `handle` as `owner`."""
    return {"OPENAI_API_KEY": "sk-agents", "ASSISTANTS_ENDPOINT": handle.base_url,
            "ASSISTANTS_OWNER": owner, **extra}


def project(folder: Path, *, owner: str | None = None) -> Path:
    """`folder` with the schema files the documents name (and a settings file naming
    `owner`, when given)."""
    (folder / "schemas").mkdir(parents=True, exist_ok=True)
    (folder / "schemas" / "lookup.json").write_text(json.dumps(LOOKUP_PARAMS))
    (folder / "schemas" / "answer.json").write_text(json.dumps(ANSWER_SCHEMA))
    if owner:
        (folder / "assistants.project.yaml").write_text(f"owner: {owner}\n")
    return folder


def write_doc(folder: Path, name: str, *docs: dict[str, Any]) -> Path:
    """YAML documents in `folder/name`, keys in the given order."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump_all(list(docs), sort_keys=False))
    return path


def full_tools() -> list[dict[str, Any]]:
    """One tool of every type, with the options the Agents API has."""
    return [
        {"type": "function", "name": "lookup_ticket", "description": "Look a ticket up.",
         "parameters_file": "schemas/lookup.json", "defer_loading": True},
        {"type": "tool_search"},
        {"type": "programmatic_tool_calling"},
        {"type": "mcp", "server_label": "tickets",
         "transport": {"type": "http", "server_url": "https://mcp.example.com/sse",
                       "headers": {"X-Region": "eu"}},
         "allowed_tools": ["search", "read"], "credential_id": "cred_tickets",
         "required": True},
        {"type": "mcp", "server_label": "files",
         "transport": {"type": "stdio", "command": "npx", "cwd": "/srv",
                       "args": ["-y", "files-mcp"], "env_vars": ["HOME"]}},
        {"type": "web_search", "location": {"city": "Paris", "country": "FR"}},
        {"type": "computer_use"},
    ]


def full_agent(key: str, *, model: str = "gpt-5") -> dict[str, Any]:
    """An agent document with every tool type and every setting written."""
    return {
        "kind": "agent", "key": key, "model": model, "name": f"Agent {key}",
        "instructions": "Help Acme's customers.", "metadata": {"team": "support"},
        "tools": full_tools(),
        "reasoning": {"effort": "high", "summary": "auto"},
        "text": {"format": {"type": "json_schema", "schema_file": "schemas/answer.json"},
                 "verbosity": "high"},
        "service_tier": "flex",
        "multi_agent": {"enabled": True},
    }


def bare_agent(key: str, *, model: str = "gpt-5", tools: bool = True) -> dict[str, Any]:
    """An agent document that writes none of the settings the server resolves, and (with
    `tools`) every tool type with only its required fields."""
    doc: dict[str, Any] = {"kind": "agent", "key": key, "model": model,
                           "instructions": "Answer briefly."}
    if tools:
        doc["tools"] = [
            {"type": "function", "name": "lookup_ticket", "description": "Look a ticket up.",
             "parameters_file": "schemas/lookup.json"},
            {"type": "tool_search"},
            {"type": "programmatic_tool_calling"},
            {"type": "mcp", "server_label": "tickets",
             "transport": {"type": "http", "server_url": "https://mcp.example.com/sse"}},
            {"type": "mcp", "server_label": "files",
             "transport": {"type": "stdio", "command": "npx", "cwd": "/srv"}},
            {"type": "web_search"},
            {"type": "computer_use"},
        ]
    return doc


def agents_client(handle: Any) -> httpx.Client:
    """An `httpx.Client` on the server's `/v1` with the agents beta header."""
    return httpx.Client(base_url=handle.base_url, headers={**handle.headers, **AGENT_BETA})


def live_agents(handle: Any) -> list[dict[str, Any]]:
    """Every agent on the server, oldest first (pages followed)."""
    out: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 100, "order": "asc"}
    with agents_client(handle) as client:
        while True:
            page = client.get("/agents", params=params)
            assert page.status_code == 200, page.text
            body = page.json()
            out.extend(body["data"])
            if not body["has_more"]:
                return out
            params["after"] = body["last_id"]


def by_key(agents: list[dict[str, Any]], owner: str | None = None) -> dict[str, dict[str, Any]]:
    """Agents by their marker's key (only `owner`'s, when given)."""
    out: dict[str, dict[str, Any]] = {}
    for agent in agents:
        marker = live_marker(agent)
        if marker and (owner is None or marker.owner == owner):
            out[marker.key] = agent
    return out


def update_agent(handle: Any, agent_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST /agents/{id} out of band (as a person with the dashboard or the SDK would)."""
    with agents_client(handle) as client:
        response = client.post(f"/agents/{agent_id}", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def agent_writes(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The log entries of writes to `/agents`."""
    return [e for e in entries if e["method"] in ("POST", "DELETE") and "/agents" in e["path"]]
