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
SEND_BETA = "Please try again by setting the header 'OpenAI-Beta: assistants=v2'."


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


def authenticate(headers: Mapping[str, str], api_key: str | None, keyless: bool = False) -> None:
    """Any key when `api_key` is None, else that exact key (in either header). `keyless`
    (`serve --keyless`) also lets a request without any key through, as keyless self-hosted
    servers do."""
    keys = presented_keys(headers)
    if not keys and keyless and api_key is None:
        return
    if not keys:
        raise APIFailure(401, NO_KEY)
    if api_key is not None and not any(hmac.compare_digest(k.encode(), api_key.encode())
                                       for k in keys):
        raise APIFailure(401, WRONG_KEY, code="invalid_api_key")


def check_beta(headers: Mapping[str, str]) -> None:
    """OpenAI answers 400 `invalid_beta` unless `OpenAI-Beta` holds `assistants=v2`."""
    raw = headers.get("openai-beta")
    values = {part.strip().lower() for part in (raw or "").split(",")}
    if "assistants=v2" in values:
        return
    if raw is None:
        message = f"You must provide the 'OpenAI-Beta' header to access the Assistants API. {SEND_BETA}"
    elif "assistants=v1" in values:
        message = f"The v1 Assistants API has been deprecated. {SEND_BETA}"
    else:
        message = f"Invalid 'OpenAI-Beta' header value for the Assistants API. {SEND_BETA}"
    raise invalid(message, None, "invalid_beta")
