"""The one exception tree of the project. Every message is a single line fit to print as is,
and no message ever holds a credential.

    AssistantsError                 base: `str(err)` is the line the CLI prints, exit code 1
    ├── ConfigError                 bad input; `.problems` lists every `path:line:col: message`
    ├── CredentialError             a credential is missing, or would go where it must not
    ├── PlanError                   a plan cannot be made, loaded or applied as asked
    │   ├── StalePlanError          a saved plan no longer matches the config or the live world
    │   └── TooManyDeletesError     deletes exceed `--max-deletes` (checked before any write)
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

from dataclasses import dataclass
from typing import Any


class AssistantsError(Exception):
    """Base of every error the tool raises on purpose."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.col}: {self.message}"
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigError(AssistantsError):
    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem("", 0, 0, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = sorted(problems)
        first = str(self.problems[0]) if self.problems else "invalid configuration"
        more = len(self.problems) - 1
        super().__init__(first if not more else f"{first} (and {more} more)")


class CredentialError(AssistantsError):
    pass


class PlanError(AssistantsError):
    pass


class StalePlanError(PlanError):
    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__("saved plan is stale, nothing was written: " + "; ".join(reasons))


class TooManyDeletesError(PlanError):
    def __init__(self, count: int, limit: int):
        self.count, self.limit = count, limit
        super().__init__(
            f"plan deletes {count} assistant{'s' if count != 1 else ''} but --max-deletes is "
            f"{limit}; nothing was written "
            f"(raise --max-deletes or max_deletes in the project settings to allow it)"
        )


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
