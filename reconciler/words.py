"""Count words that agree with their numbers: `count(1, "assistant")` is "1 assistant",
`count(2, "assistant")` "2 assistants". Every message that counts something says it through
here, so a second kind of object only passes its own noun; `count_kinds` counts objects of
every kind at once ("4 assistants and 1 agent")."""

from __future__ import annotations

from collections.abc import Iterable

from assistants.kinds import DEFAULT_KIND, all_kinds


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


def count_kinds(kinds: Iterable[str]) -> str:
    """`1 assistant`, `4 assistants and 2 agents`, `0 assistants`: how many objects of each
    kind `kinds` (one kind name per object) holds, in the order of `all_kinds`."""
    kinds = list(kinds)
    names = [kind.name for kind in all_kinds()]
    found = [count(kinds.count(name), name) for name in names if name in kinds]
    return " and ".join(found) or count(0, DEFAULT_KIND)


def matching(kinds: Iterable[str]) -> str:
    """`1 assistant matches`, `4 assistants and 2 agents match`."""
    kinds = list(kinds)
    return f"{count_kinds(kinds)} {verb(len(kinds), 'matches', 'match')}"
