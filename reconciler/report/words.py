"""Count words that agree with their numbers: `count(1, "assistant")` is "1 assistant",
`count(2, "assistant")` "2 assistants". Every message that counts something says it through
here, so a second kind of object only passes its own noun."""

from __future__ import annotations


def plural(noun: str, n: int) -> str:
    """`noun` (its last word) agreeing with `n`: copy -> copies, key -> keys."""
    if n == 1:
        return noun
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "i", "o", "u"):
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    return noun + "s"


def count(n: int, noun: str) -> str:
    """`3 assistants`, `1 assistant`."""
    return f"{n} {plural(noun, n)}"


def verb(n: int, one: str, many: str) -> str:
    """The verb agreeing with a subject of `n`: `verb(n, "matches", "match")`."""
    return one if n == 1 else many
