"""Unknown fields: what ``fieldValidation=Strict`` (kubectl's default) refuses with
``strict decoding error: unknown field "spec.foo"``, and what a real server otherwise drops
(decoding into typed structs; pruning custom resources by their structural schema).
"""

from __future__ import annotations

import typing
from typing import Any

from localnlb.cluster.schema import models
from localnlb.cluster.schema.kinds import ResourceType

_FREE_FORM = ("IntOrString", "Quantity", "RawExtension", "JSON", "FieldsV1", "Time", "MicroTime")


def unknown_fields(rt: ResourceType, body: dict[str, Any], *, prune: bool = False) -> list[str]:
    """Paths of the fields ``rt`` does not have; with ``prune`` they are also removed."""
    if rt.is_custom:
        if rt.preserve_unknown_fields or not rt.schema:
            return []
        return _walk_schema(body, rt.schema, "", top=True, prune=prune)
    cls = models.model_class(rt.group, rt.version, rt.kind)
    if cls is None:
        return []
    return _walk_model(body, cls, "", prune=prune)


def _walk_model(value: Any, hint: Any, path: str, *, prune: bool) -> list[str]:
    hint = models.unwrap(hint)
    if value is None:
        return []
    origin = typing.get_origin(hint)
    if origin is list and isinstance(value, list):
        (item,) = typing.get_args(hint) or (Any,)
        found = []
        for index, element in enumerate(value):
            found += _walk_model(element, item, f"{path}[{index}]", prune=prune)
        return found
    if origin is dict and isinstance(value, dict):
        args = typing.get_args(hint)
        item = args[1] if len(args) == 2 else Any
        found = []
        for key, element in value.items():
            found += _walk_model(element, item, f"{path}[{key}]", prune=prune)
        return found
    if not models.is_model(hint) or getattr(hint, "__name__", "") in _FREE_FORM:
        return []
    if not isinstance(value, dict):
        return []
    fields = models.fields_of(hint)
    found = []
    for key, element in list(value.items()):
        where = f"{path}.{key}" if path else key
        if key not in fields:
            found.append(where)
            if prune:
                del value[key]
        else:
            found += _walk_model(element, fields[key], where, prune=prune)
    return found


def _walk_schema(
    value: Any, schema: dict[str, Any], path: str, *, prune: bool, top: bool = False
) -> list[str]:
    if schema.get("x-kubernetes-preserve-unknown-fields") or schema.get(
        "x-kubernetes-embedded-resource"
    ):
        return []
    found: list[str] = []
    if isinstance(value, dict):
        properties = schema.get("properties")
        additional = schema.get("additionalProperties")
        for key, element in list(value.items()):
            where = f"{path}.{key}" if path else key
            if top and key in ("apiVersion", "kind", "metadata"):
                continue
            if properties is not None and key in properties:
                found += _walk_schema(element, properties[key], where, prune=prune)
            elif isinstance(additional, dict):
                found += _walk_schema(element, additional, where, prune=prune)
            elif additional is not True:  # structural schemas prune what they do not name
                found.append(where)
                if prune:
                    del value[key]
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, element in enumerate(value):
            found += _walk_schema(element, schema["items"], f"{path}[{index}]", prune=prune)
    return found
