"""Reading ``service.beta.kubernetes.io/*`` annotations into typed values.

The value grammars and error texts are the real controller's annotation parser (Go): booleans
are ``strconv.ParseBool`` (1 t T TRUE true True 0 f F FALSE false False), integers base 10,
lists are comma-separated with blanks trimmed and empties dropped, maps are ``k=v`` pairs
separated by commas. Errors read as the Go error chain does, e.g. ``failed to parse int32
annotation, service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval: ten:
strconv.ParseInt: parsing "ten": invalid syntax``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from localnlb.controller.service.constants import annotation_key
from localnlb.controller.service.errors import BuildError

_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})
_INT = re.compile(r"[+-]?[0-9]+")
_INT64_MAX = 2**63 - 1


def go_quote(text: str) -> str:
    """Go's ``%q`` for the strings we quote (ASCII-safe JSON escaping is close enough)."""
    return json.dumps(text, ensure_ascii=False)


def parse_go_bool(raw: str) -> bool:
    """``strconv.ParseBool``; raises BuildError with its message."""
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise BuildError(f"strconv.ParseBool: parsing {go_quote(raw)}: invalid syntax")


def parse_go_int(raw: str) -> int:
    """``strconv.ParseInt(raw, 10, 64)``; raises BuildError with its message."""
    if not _INT.fullmatch(raw):
        raise BuildError(f"strconv.ParseInt: parsing {go_quote(raw)}: invalid syntax")
    value = int(raw)
    if not -_INT64_MAX - 1 <= value <= _INT64_MAX:
        raise BuildError(f"strconv.ParseInt: parsing {go_quote(raw)}: value out of range")
    return value


def split_comma_separated(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


class AnnotationReader:
    """Typed access to one object's annotations, by suffix after the controller's prefix."""

    def __init__(self, annotations: Mapping[str, str]) -> None:
        self._annotations = annotations

    def has(self, suffix: str) -> bool:
        return annotation_key(suffix) in self._annotations

    def string(self, suffix: str) -> str | None:
        return self._annotations.get(annotation_key(suffix))

    def boolean(self, suffix: str) -> bool | None:
        raw = self.string(suffix)
        if raw is None:
            return None
        try:
            return parse_go_bool(raw)
        except BuildError as error:
            raise error.wrapped(
                f"failed to parse bool annotation, {annotation_key(suffix)}: {raw}"
            ) from None

    def int32(self, suffix: str) -> int | None:
        raw = self.string(suffix)
        if raw is None:
            return None
        try:
            value = parse_go_int(raw)
        except BuildError as error:
            raise error.wrapped(
                f"failed to parse int32 annotation, {annotation_key(suffix)}: {raw}"
            ) from None
        return (value + 2**31) % 2**32 - 2**31  # Go's int32(i) conversion wraps

    def string_list(self, suffix: str) -> list[str] | None:
        raw = self.string(suffix)
        return None if raw is None else split_comma_separated(raw)

    def string_map(self, suffix: str) -> dict[str, str] | None:
        raw = self.string(suffix)
        if raw is None:
            return None
        pairs: dict[str, str] = {}
        for item in split_comma_separated(raw):
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise BuildError(
                    f"failed to parse stringMap annotation, {annotation_key(suffix)}: {raw}"
                )
            pairs[key] = value
        return pairs
