"""Kubernetes' ``$(VAR)`` expansion, exactly as the kubelet applies it.

Rules (k8s ``third_party/forked/golang/expansion``): ``$(NAME)`` becomes the variable's value if
it is defined and stays ``$(NAME)`` verbatim if not; ``$$`` is an escaped ``$``; a ``$`` followed
by anything else, an unclosed ``$(`` and a trailing ``$`` are kept as they are. Only ``$(...)``
references, never ``${...}`` or ``$NAME``: those are the shell's business. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

OPERATOR = "$"
OPENER = "("
CLOSER = ")"


def expand(text: str, *contexts: Mapping[str, str]) -> str:
    """Expand ``text`` against ``contexts`` (the first that defines a name wins)."""
    out: list[str] = []
    checkpoint = 0
    cursor = 0
    while cursor < len(text):
        if text[cursor] == OPERATOR and cursor + 1 < len(text):
            out.append(text[checkpoint:cursor])
            read, is_variable, advance = _read_variable(text, cursor + 1)
            out.append(_lookup(read, contexts) if is_variable else read)
            cursor += advance
            checkpoint = cursor + 1
        cursor += 1
    out.append(text[checkpoint:])
    return "".join(out)


def expand_all(texts: Sequence[str], *contexts: Mapping[str, str]) -> list[str]:
    return [expand(text, *contexts) for text in texts]


def _read_variable(text: str, start: int) -> tuple[str, bool, int]:
    """(what was read, whether it names a variable, how many characters it consumed)."""
    first = text[start]
    if first == OPERATOR:
        return OPERATOR, False, 1
    if first == OPENER:
        close = text.find(CLOSER, start + 1)
        if close != -1:
            return text[start + 1 : close], True, close - start + 1
        return OPERATOR + OPENER, False, 1
    return OPERATOR + first, False, 1


def _lookup(name: str, contexts: Sequence[Mapping[str, str]]) -> str:
    for context in contexts:
        if name in context:
            return context[name]
    return f"{OPERATOR}{OPENER}{name}{CLOSER}"
