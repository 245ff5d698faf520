"""Desired-stack values → JSON-ready data, the way the AWS Load Balancer Controller marshals its
model: camelCase keys, ``None`` and empty collections omitted, enums as their values, tokens as
``{"$ref": ...}``. A field whose JSON name is not plain camelCase (``subnetID``,
``targetGroupARN``) says so in its metadata: ``field(metadata=json_name("subnetID"))``.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from typing import Any

from localnlb.controller.model.tokens import ResourceFieldRef

JsonValue = Any  # JSON data: dict / list / str / int / bool; kept loose at this edge only

_JSON_NAME = "json_name"


def json_name(name: str) -> dict[str, str]:
    return {_JSON_NAME: name}


def camel_case(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, tuple | list | Mapping) and len(value) == 0)


def to_json(value: object) -> JsonValue:
    if isinstance(value, ResourceFieldRef):
        return value.to_json()
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, JsonValue] = {}
        for field in dataclasses.fields(value):
            item = getattr(value, field.name)
            if _is_empty(item):
                continue
            out[field.metadata.get(_JSON_NAME, camel_case(field.name))] = to_json(item)
        return out
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in sorted(value.items())}
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    return value
