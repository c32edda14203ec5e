"""The checks every request passes before any work: credentials, then the beta header."""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from assistants.local.errors import APIFailure, invalid

NO_KEY = (
    "You didn't provide an API key. You need to provide your API key in an Authorization header "
    "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or in the x-portkey-api-key header."
)
WRONG_KEY = "Incorrect API key provided. Use the key this server was started with (--api-key)."


def presented_keys(headers: Mapping[str, str]) -> list[str]:
    """The credentials a request carries: a Bearer token and/or a Portkey API key."""
    keys = []
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        keys.append(token.strip())
    portkey = headers.get("x-portkey-api-key", "").strip()
    if portkey:
        keys.append(portkey)
    return keys


def authenticate(headers: Mapping[str, str], api_key: str | None) -> None:
    """Without `api_key` (`serve` without `--api-key`), any request passes, with or without a
    key, as keyless self-hosted servers do. With it, that exact key (in either header)."""
    if api_key is None:
        return
    keys = presented_keys(headers)
    if not keys:
        raise APIFailure(401, NO_KEY)
    if not any(hmac.compare_digest(k.encode(), api_key.encode()) for k in keys):
        raise APIFailure(401, WRONG_KEY, code="invalid_api_key")


BETAS = {"assistants": ("assistants=v2", "Assistants"), "agents": ("agents=v1", "Agents")}


def check_beta(headers: Mapping[str, str], collection: str = "assistants") -> None:
    """OpenAI answers 400 `invalid_beta` unless `OpenAI-Beta` holds the collection's value:
    `assistants=v2` for /assistants, `agents=v1` for /agents."""
    wanted, api = BETAS[collection]
    raw = headers.get("openai-beta")
    values = {part.strip().lower() for part in (raw or "").split(",")}
    if wanted in values:
        return
    send = f"Please try again by setting the header 'OpenAI-Beta: {wanted}'."
    if raw is None:
        message = f"You must provide the 'OpenAI-Beta' header to access the {api} API. {send}"
    elif collection == "assistants" and "assistants=v1" in values:
        message = f"The v1 Assistants API has been deprecated. {send}"
    else:
        message = f"Invalid 'OpenAI-Beta' header value for the {api} API. {send}"
    raise invalid(message, None, "invalid_beta")
