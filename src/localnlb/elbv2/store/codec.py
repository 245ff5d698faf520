"""Frozen model dataclasses ⇄ JSON documents, driven by their type hints.

Every table stores one JSON document per resource; this module is the only place that knows how
a model value becomes a document and back (nested dataclasses, tuples, optionals, enums, dicts).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T")


def encode(value: object) -> str:
    return json.dumps(_plain(value), separators=(",", ":"))


def decode(kind: type[T], text: str) -> T:
    return typing.cast(T, _build(kind, json.loads(text)))


def _plain(value: object) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


@functools.cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def _build(hint: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _build(options[0], data)
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return tuple(_build(item, v) for v in data)
    if origin in (dict, Mapping) or hint is dict:
        return dict(data)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        hints = _hints(hint)
        return hint(**{k: _build(hints[k], v) for k, v in data.items() if k in hints})
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(data)
    return data
