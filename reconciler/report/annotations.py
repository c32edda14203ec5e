"""GitHub Actions workflow commands (annotations on the diff, warnings in the log)."""

from __future__ import annotations


def github_command(kind: str, message: str, file: str | None = None,
                   line: int | None = None) -> str:
    """A GitHub Actions workflow command (`::warning file=a.yaml,line=3::text`), escaped as
    the runner requires so that a message with `%`, newlines, `:` or `,` stays one annotation."""
    props = []
    if file:
        props.append(f"file={_escape_property(file)}")
        props.append(f"line={line or 1}")
    head = f"::{kind} {','.join(props)}" if props else f"::{kind}"
    return f"{head}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
