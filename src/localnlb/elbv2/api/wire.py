"""Form-encoded Query parameters → a nested dict keyed by the model's member names.

The walk follows the operation's input shape, so both dialects are handled by one function:
ELBv2 lists are ``Name.member.N`` (an empty list is ``Name=``), EC2 lists are ``Name.N`` and EC2
members are named by their ``queryName``/``locationName``. Parameters the model does not know are
ignored, as AWS does. Scalars that do not parse (``Port=abc``) raise a ``ValidationError`` naming
the member, never a 500.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from localnlb.elbv2.api.errors import ValidationError
from localnlb.elbv2.api.service_model import Dialect


class _Form:
    """The raw pairs plus a tree of their dotted segments, so that list probing costs the length
    of the probed prefix: a key of n dots adds n nodes, never its n prefixes of up to n bytes."""

    def __init__(self, pairs: Mapping[str, str]) -> None:
        self.values = pairs
        self._tree: dict[str, Any] = {}
        for key in pairs:
            node = self._tree
            for segment in key.split("."):
                node = node.setdefault(segment, {})

    def has(self, prefix: str) -> bool:
        node = self._tree
        for segment in prefix.split("."):
            found = node.get(segment)
            if found is None:
                return False
            node = found
        return True


def parse_params(
    pairs: Mapping[str, str], shape: StructureShape | None, dialect: Dialect
) -> dict[str, Any]:
    if shape is None:
        return {}
    form = _Form(pairs)
    return _structure(form, shape, "", dialect)


def member_key(name: str, member: Shape, dialect: Dialect) -> str:
    """The wire name of a member: what the botocore serializer for ``dialect`` writes."""
    if dialect is Dialect.EC2:
        query_name = member.serialization.get("queryName")
        if query_name:
            return str(query_name)
        location = member.serialization.get("name")
        if location:
            return str(location[0].upper() + location[1:])
        return name
    return str(member.serialization.get("name", name))


def _structure(form: _Form, shape: StructureShape, prefix: str, dialect: Dialect) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, member in shape.members.items():
        key = prefix + member_key(name, member, dialect)
        value = _value(form, member, key, dialect)
        if value is not None:
            result[name] = value
    return result


def _value(form: _Form, shape: Shape, key: str, dialect: Dialect) -> Any:
    if isinstance(shape, StructureShape):
        if not form.has(key):
            return None
        return _structure(form, shape, key + ".", dialect)
    if isinstance(shape, ListShape):
        return _list(form, shape, key, dialect)
    if isinstance(shape, MapShape):
        return _map(form, shape, key, dialect)
    if key not in form.values:
        return None
    return _scalar(form.values[key], shape, key)


def _list(form: _Form, shape: ListShape, key: str, dialect: Dialect) -> list[Any] | None:
    if not form.has(key):
        return None
    if dialect is Dialect.EC2 or shape.serialization.get("flattened"):
        item_prefix = key
    else:
        item_prefix = f"{key}.{shape.member.serialization.get('name', 'member')}"
    items: list[Any] = []
    index = 1
    while form.has(f"{item_prefix}.{index}"):
        items.append(_value(form, shape.member, f"{item_prefix}.{index}", dialect))
        index += 1
    return items


def _map(form: _Form, shape: MapShape, key: str, dialect: Dialect) -> dict[str, Any] | None:
    if not form.has(key):
        return None
    result: dict[str, Any] = {}
    index = 1
    while form.has(f"{key}.entry.{index}"):
        entry = f"{key}.entry.{index}"
        map_key = form.values.get(f"{entry}.key", "")
        result[map_key] = _value(form, shape.value, f"{entry}.value", dialect)
        index += 1
    return result


def _scalar(raw: str, shape: Shape, key: str) -> Any:
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            return int(raw)
        if kind in ("double", "float"):
            return float(raw)
        if kind == "boolean":
            lowered = raw.lower()
            if lowered not in ("true", "false"):
                raise ValueError(raw)
            return lowered == "true"
        if kind == "timestamp":
            return datetime.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValidationError(
            f"1 validation error detected: Value '{raw}' at '{key}' failed to satisfy "
            f"constraint: Member must be a valid {kind}"
        ) from exc
    return raw
