"""Shape-driven validation: every constraint the model declares and clients leave to the server.

botocore checks only ``required`` and ``min`` on the client; ``max``, enums, patterns and list
lengths are the server's job. Violations are reported all at once, in AWS's (Coral's) wording::

    2 validation errors detected: Value '70000' at 'port' failed to satisfy constraint: Member
    must have value less than or equal to 65535; Value 'BOGUS' at 'protocol' failed to ...

Paths use lower-camel member names and ``.N.member`` for list items (``targets.1.member.port``).
Model patterns are Java regexes; the ``\\p{..}`` classes are translated to Python equivalents.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from botocore.model import ListShape, Shape, StructureShape


def find_violations(params: dict[str, Any], shape: StructureShape | None) -> list[str]:
    problems: list[str] = []
    if shape is not None:
        _check_structure(params, shape, "", problems)
    return problems


def violations_message(problems: list[str]) -> str:
    plural = "s" if len(problems) > 1 else ""
    return f"{len(problems)} validation error{plural} detected: " + "; ".join(problems)


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _check_structure(
    value: dict[str, Any], shape: StructureShape, path: str, problems: list[str]
) -> None:
    required = set(shape.required_members)
    for name, member in shape.members.items():
        member_path = f"{path}.{_camel(name)}" if path else _camel(name)
        if name not in value or value[name] is None:
            if name in required:
                problems.append(
                    f"Value null at '{member_path}' failed to satisfy constraint: "
                    "Member must not be null"
                )
            continue
        _check(value[name], member, member_path, problems)


def _check(value: Any, shape: Shape, path: str, problems: list[str]) -> None:
    if isinstance(shape, StructureShape):
        _check_structure(value, shape, path, problems)
        return
    if isinstance(shape, ListShape):
        _check_length(value, shape, path, problems, shown=_show_list(value))
        for index, item in enumerate(value, start=1):
            if item is not None:
                _check(item, shape.member, f"{path}.{index}.member", problems)
        return
    if shape.type_name == "string":
        _check_string(value, shape, path, problems)
    elif shape.type_name in ("integer", "long", "double", "float"):
        _check_number(value, shape, path, problems)


def _fail(problems: list[str], shown: str, path: str, constraint: str) -> None:
    problems.append(f"Value '{shown}' at '{path}' failed to satisfy constraint: {constraint}")


def _check_length(value: Any, shape: Shape, path: str, problems: list[str], *, shown: str) -> None:
    meta = shape.metadata
    if "min" in meta and len(value) < meta["min"]:
        _fail(
            problems, shown, path, f"Member must have length greater than or equal to {meta['min']}"
        )
    if "max" in meta and len(value) > meta["max"]:
        _fail(problems, shown, path, f"Member must have length less than or equal to {meta['max']}")


def _check_string(value: str, shape: Shape, path: str, problems: list[str]) -> None:
    enum: list[str] = getattr(shape, "enum", [])
    if enum and value not in enum:
        allowed = ", ".join(enum)
        _fail(problems, value, path, f"Member must satisfy enum value set: [{allowed}]")
        return
    _check_length(value, shape, path, problems, shown=value)
    pattern = shape.metadata.get("pattern")
    if pattern:
        compiled = _compile(pattern)
        if compiled is not None and compiled.fullmatch(value) is None:
            _fail(
                problems, value, path, f"Member must satisfy regular expression pattern: {pattern}"
            )


def _check_number(value: float, shape: Shape, path: str, problems: list[str]) -> None:
    meta = shape.metadata
    if "min" in meta and value < meta["min"]:
        _fail(
            problems,
            str(value),
            path,
            f"Member must have value greater than or equal to {meta['min']}",
        )
    if "max" in meta and value > meta["max"]:
        _fail(
            problems,
            str(value),
            path,
            f"Member must have value less than or equal to {meta['max']}",
        )


def _show_list(value: list[Any]) -> str:
    return "[" + ", ".join(str(item) for item in value) + "]"


_JAVA_CLASSES = {r"\p{L}": r"\w", r"\p{N}": r"\d", r"\p{Z}": r"\s"}


@functools.cache
def _compile(pattern: str) -> re.Pattern[str] | None:
    translated = pattern
    for java, python in _JAVA_CLASSES.items():
        translated = translated.replace(java, python)
    try:
        return re.compile(translated)
    except re.error:
        return None
