"""OpenAI-style error answers: `{"error": {"message", "type", "param", "code"}}`."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class APIFailure(Exception):
    """Raised anywhere in a request to answer with an OpenAI error envelope."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status, self.message, self.type = status, message, type
        self.param, self.code, self.headers = param, code, headers or {}

    def envelope(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param,
                          "code": self.code}}

    def response(self) -> JSONResponse:
        return JSONResponse(self.envelope(), status_code=self.status, headers=self.headers)


def invalid(message: str, param: str | None = None, code: str | None = None) -> APIFailure:
    """A 400 `invalid_request_error`."""
    return APIFailure(400, message, param=param, code=code)


def not_found(assistant_id: str) -> APIFailure:
    return APIFailure(404, f"No assistant found with id '{assistant_id}'.")


def server_error() -> APIFailure:
    return APIFailure(
        500,
        "The server had an error while processing your request. Sorry about that!",
        type="server_error",
    )
