"""The API side's exception tree (the reconciler's errors extend it: reconciler/errors.py). Every message is a single line fit to print as is,
and no message ever holds a credential.

    AssistantsError                 base: `str(err)` is the line the CLI prints, exit code 1
    ├── CredentialError             a credential is missing, or would go where it must not
    ├── EndpointURLError            `--endpoint` is no http(s) URL with a host
    ├── TransportError              no usable answer: connect, timeout, reset, garbage body
    │                               `.sent` says whether the request may have reached the server
    └── APIError                    the server answered with an error; carries method, url, status
        ├── BadRequestError         400 or 422: the server rejected the body
        ├── AuthenticationError     401 or 403
        ├── NotFoundError           404 on one assistant
        ├── EndpointError           404 on the collection: not an Assistants API at all
        ├── RateLimitError          429; `.retry_after` in seconds when the server said
        └── ServerError             5xx, and the gateways' own 408, 412, 446; on a create
                                    the outcome is unknown (see client.create_outcome_unknown)
"""

from __future__ import annotations

from typing import Any


class AssistantsError(Exception):
    """Base of every error the tool raises on purpose."""


class CredentialError(AssistantsError):
    pass


class EndpointURLError(AssistantsError):
    """`--endpoint` is no usable URL."""

    def __init__(self, message: str):
        super().__init__(f"--endpoint: {message}")


class TransportError(AssistantsError):
    def __init__(self, message: str, *, method: str = "", url: str = "", sent: bool = False):
        self.method, self.url, self.sent = method, url, sent
        where = f"{method} {url}: " if method else ""
        super().__init__(f"{where}{message}")


class APIError(AssistantsError):
    def __init__(
        self,
        message: str,
        *,
        status: int,
        method: str = "",
        url: str = "",
        code: str | None = None,
        param: str | None = None,
    ):
        self.status, self.method, self.url = status, method, url
        self.code, self.param, self.detail = code, param, message
        where = f"{method} {url}: " if method else ""
        super().__init__(f"{where}HTTP {status}: {message}")


class BadRequestError(APIError):
    pass


class AuthenticationError(APIError):
    pass


class NotFoundError(APIError):
    pass


class EndpointError(APIError):
    pass


class RateLimitError(APIError):
    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any):
        self.retry_after = retry_after
        super().__init__(message, **kw)


class ServerError(APIError):
    pass
