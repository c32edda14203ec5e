"""Credentials and where they may go: auth profiles from the environment, the https-or-loopback
rule, an endpoint's `user:password` and printable base, URL redaction, and scrubbing secrets
out of text we are about to print."""

from __future__ import annotations

import base64
import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qsl, urlsplit, urlunsplit

from assistants.errors import CredentialError, EndpointURLError

DEFAULT_ENDPOINT = "https://api.portkey.ai/v1"
ENDPOINT_ENV = "ASSISTANTS_ENDPOINT"
PORTKEY_HOSTS = ("api.portkey.ai",)

# Header names whose values are never secret (everything else a profile sets is scrubbed).
PUBLIC_HEADERS = frozenset(
    {"x-portkey-provider", "x-portkey-custom-host", "x-portkey-trace-id", "openai-beta", "user-agent"}
)

_PORTKEY_SELECTORS = (
    ("PORTKEY_CONFIG", "x-portkey-config"),
    ("PORTKEY_VIRTUAL_KEY", "x-portkey-virtual-key"),
    ("PORTKEY_PROVIDER", "x-portkey-provider"),
)


@dataclass(frozen=True)
class AuthProfile:
    """The headers one environment yields, and which variables they came from (for messages)."""

    name: str  # "portkey-config" | "portkey-virtual-key" | "portkey-provider" | "openai"
    headers: dict[str, str]
    variables: tuple[str, ...]


def _env(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _checked(env: Mapping[str, str], name: str) -> str | None:
    """A credential must be a single printable-ASCII line; say so without echoing it."""
    value = _env(env, name)
    if value is not None and not all(" " <= ch <= "~" for ch in value):
        raise CredentialError(
            f"{name} contains a line break or a non-ASCII character; set it to the bare value"
        )
    return value


def profile_from_env(env: Mapping[str, str], endpoint: str = DEFAULT_ENDPOINT) -> AuthProfile:
    """Pick the auth profile DESIGN.md describes. Only the chosen profile's variables are sent;
    with none set, a loopback endpoint gets no credential at all (`KEYLESS`)."""
    portkey_key = _checked(env, "PORTKEY_API_KEY")
    if portkey_key is None:
        openai_key = _checked(env, "OPENAI_API_KEY")
        if openai_key is None and endpoint_is_loopback(endpoint):
            return KEYLESS
        if openai_key is None:
            raise CredentialError(
                "no credentials: set PORTKEY_API_KEY (plus PORTKEY_CONFIG, PORTKEY_VIRTUAL_KEY or "
                "PORTKEY_PROVIDER) for the Portkey gateway, or OPENAI_API_KEY for a plain "
                "OpenAI-compatible server"
            )
        host = (urlsplit(endpoint).hostname or "").lower()
        if host in PORTKEY_HOSTS:
            raise CredentialError(
                f"OPENAI_API_KEY alone cannot use the Portkey gateway {redact_url(endpoint)}: "
                "set PORTKEY_API_KEY (plus PORTKEY_CONFIG, PORTKEY_VIRTUAL_KEY or PORTKEY_PROVIDER), "
                "or point --endpoint / ASSISTANTS_ENDPOINT at your OpenAI-compatible server"
            )
        return AuthProfile("openai", {"Authorization": f"Bearer {openai_key}"}, ("OPENAI_API_KEY",))

    for var, header in _PORTKEY_SELECTORS:
        value = _checked(env, var)
        if value is None:
            continue
        headers = {"x-portkey-api-key": portkey_key, header: value}
        used = ["PORTKEY_API_KEY", var]
        if var == "PORTKEY_PROVIDER":
            provider_key = _checked(env, "PORTKEY_PROVIDER_API_KEY")
            if provider_key is not None:
                headers["Authorization"] = f"Bearer {provider_key}"
                used.append("PORTKEY_PROVIDER_API_KEY")
            custom_host = _checked(env, "PORTKEY_CUSTOM_HOST")
            if custom_host is not None:
                headers["x-portkey-custom-host"] = custom_host
                used.append("PORTKEY_CUSTOM_HOST")
        name = "portkey-" + var.removeprefix("PORTKEY_").lower().replace("_", "-")
        return AuthProfile(name, headers, tuple(used))

    raise CredentialError(
        "PORTKEY_API_KEY is set but Portkey needs to know where to route: set one of "
        "PORTKEY_CONFIG, PORTKEY_VIRTUAL_KEY or PORTKEY_PROVIDER"
    )


KEYLESS = AuthProfile("none", {}, ())
"""No credential variable is set and the endpoint is on this machine: send none (self-hosted
Assistants servers on loopback are often keyless; one that wants a key answers 401)."""


def endpoint_is_loopback(endpoint: str) -> bool:
    try:
        return is_loopback(urlsplit(endpoint.strip()).hostname or "")
    except ValueError:
        return False


def resolve_endpoint(endpoint: str | None, env: Mapping[str, str]) -> str:
    """`--endpoint`, else `ASSISTANTS_ENDPOINT`, else the Portkey gateway."""
    return endpoint or _env(env, ENDPOINT_ENV) or DEFAULT_ENDPOINT


def parse_endpoint(endpoint: str) -> SplitResult:
    """Split and sanity-check an endpoint URL (scheme http/https and a host)."""
    try:
        parts = urlsplit(endpoint.strip())
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as exc:
        raise EndpointURLError(f"not a valid URL: {exc}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise EndpointURLError(
            f"must be an http:// or https:// URL, got {redact_url(endpoint)!r}")
    return parts


def endpoint_credentials(parts: SplitResult, headers: Mapping[str, str]) -> dict[str, str]:
    """The credential headers a request carries: the non-empty `headers`, plus Basic auth
    from the endpoint's `user:password` (CredentialError when both would set Authorization)."""
    creds = {k: v for k, v in headers.items() if v}
    if parts.username is not None or parts.password is not None:
        if any(k.lower() == "authorization" for k in creds):
            raise CredentialError(
                "the endpoint URL carries user:password and the credentials already set "
                "Authorization; remove the userinfo from --endpoint"
            )
        pair = f"{parts.username or ''}:{parts.password or ''}".encode()
        creds["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    return creds


def endpoint_base(parts: SplitResult) -> str:
    """The endpoint requests go to, as printed: no `user:password`, no query (both may be
    secret), no trailing `/`, the scheme in lower case."""
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    netloc = f"{host}:{parts.port}" if parts.port is not None else host
    return urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip("/"), "", ""))


def is_loopback(host: str) -> bool:
    host = host.lower().rstrip(".").strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped.is_loopback
    return addr.is_loopback


def check_transport_security(endpoint: str) -> None:
    """Credentials travel only over https, or plain http to this machine."""
    parts = parse_endpoint(endpoint)
    if parts.scheme.lower() == "https":
        return
    if is_loopback(parts.hostname or ""):
        return
    raise CredentialError(
        f"refusing to send credentials over plain http to {redact_url(endpoint)}: use https://, "
        "or http:// only to loopback (localhost, 127.0.0.0/8, ::1)"
    )


def redact_url(url: str) -> str:
    """Drop userinfo, query string and fragment: what is safe to print and store in a plan."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "<invalid URL>"
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port is not None else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def origin(url: str) -> str:
    """scheme://host[:port] of a URL, nothing else."""
    parts = urlsplit(redact_url(url))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme else parts.netloc


def secret_values(headers: Mapping[str, str]) -> list[str]:
    """The values to scrub from any text: every non-public header value, and a Bearer token."""
    out: list[str] = []
    for name, value in headers.items():
        if name.lower() == "x-portkey-custom-host" and value:
            out.extend(_url_secrets(value))  # the host is public; credentials in its URL are not
            continue
        if name.lower() in PUBLIC_HEADERS or not value:
            continue
        out.append(value)
        scheme, _, token = value.partition(" ")
        if token and scheme.lower() in ("bearer", "basic"):
            out.append(token)
    return sorted(set(out), key=len, reverse=True)


def _url_secrets(url: str) -> list[str]:
    """The user, password and query values of a URL, and the URL itself when it has any."""
    try:
        parts = urlsplit(url)
        found = [p for p in (parts.username, parts.password) if p]
    except ValueError:
        return [url]
    found += [value for _, value in parse_qsl(parts.query) if value]
    return [*found, url] if found else []


# Key-looking tokens, including OpenAI's masked echoes ("sk-proj-****abcd").
_KEYLIKE = re.compile(r"\b(sk|pk|rk)-[A-Za-z0-9_*.\-]{6,}")


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Remove every known secret (and anything shaped like an API key) from `text`."""
    for value in secrets:
        if len(value) >= 4:
            text = text.replace(value, "***")
    return _KEYLIKE.sub(lambda m: m.group(1) + "-***", text)
