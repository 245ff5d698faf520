"""OpenAPI v3 component schemas generated from lightkube-models' dataclasses.

Names follow the real spec (``io.k8s.api.core.v1.Pod``); field types, required fields and
descriptions come from the dataclasses and their docstrings; patch strategies and the
group-version-kind extension are passed in by the caller. Nothing is typed in by hand.
"""

from __future__ import annotations

import datetime
import re
import typing
from typing import Any

from localnlb.cluster.schema import models

_PACKAGES = {
    "meta_v1": "io.k8s.apimachinery.pkg.apis.meta.v1",
    "util_intstr": "io.k8s.apimachinery.pkg.util.intstr",
    "resource": "io.k8s.apimachinery.pkg.api.resource",
    "runtime": "io.k8s.apimachinery.pkg.runtime",
    "apiextensions_v1": "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1",
}
_PARAMETER = re.compile(r"^\s*\* \*\*(\w+)\*\* ``[^`]*`` - (.*)$")
JsonObject = dict[str, Any]
PatchExtensions = dict[tuple[type, str], tuple[str, str]]


def schema_name(cls: type) -> str:
    module = cls.__module__.rsplit(".", 1)[-1]
    if module in _PACKAGES:
        return f"{_PACKAGES[module]}.{cls.__name__}"
    group, _, version = module.rpartition("_")
    return f"io.k8s.api.{group}.{version}.{cls.__name__}"


def _docs(cls: type) -> tuple[str, dict[str, str]]:
    text = cls.__doc__ or ""
    head, _, params = text.partition("**parameters**")
    description = " ".join(line.strip() for line in head.strip().splitlines()).strip()
    fields: dict[str, str] = {}
    current = ""
    for line in params.splitlines():
        match = _PARAMETER.match(line)
        if match:
            current = models.json_name(match.group(1))
            fields[current] = match.group(2).strip()
        elif current and line.strip():
            fields[current] += " " + line.strip()
    return description, fields


def type_schema(hint: Any, pending: list[type]) -> JsonObject:
    hint = models.unwrap(hint)
    origin = typing.get_origin(hint)
    if origin in (typing.Union,) or hint is Any:
        return {"x-kubernetes-int-or-string": True}
    if origin is list or hint is list:
        args = typing.get_args(hint)
        return {"type": "array", "items": type_schema(args[0], pending) if args else {}}
    if origin is dict or hint is dict:
        args = typing.get_args(hint)
        if len(args) == 2:
            return {"type": "object", "additionalProperties": type_schema(args[1], pending)}
        return {"type": "object"}
    if hint is str:
        return {"type": "string"}
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        return {"type": "integer", "format": "int64"}
    if hint is float:
        return {"type": "number", "format": "double"}
    if hint is datetime.datetime:
        return {"type": "string", "format": "date-time"}
    if models.is_model(hint):
        pending.append(hint)
        return {"allOf": [{"$ref": f"#/components/schemas/{schema_name(hint)}"}], "default": {}}
    return {"type": "object"}


def component_schemas(
    roots: list[type], *, gvks: dict[type, list[JsonObject]], patches: PatchExtensions
) -> dict[str, JsonObject]:
    """Schemas for ``roots`` and everything they reference, by component name."""
    result: dict[str, JsonObject] = {}
    pending = list(roots)
    while pending:
        cls = pending.pop()
        name = schema_name(cls)
        if name in result:
            continue
        description, field_docs = _docs(cls)
        properties: JsonObject = {}
        required = []
        for field, hint in models.fields_of(cls).items():
            prop = type_schema(hint, pending)
            if field_docs.get(field):
                prop["description"] = field_docs[field]
            extension = patches.get((cls, field))
            if extension is not None:
                strategy, key = extension
                if key:
                    prop["x-kubernetes-patch-merge-key"] = key
                if strategy:
                    prop["x-kubernetes-patch-strategy"] = strategy
            properties[field] = prop
            if typing.get_origin(hint) not in (typing.Union,) and field not in (
                "apiVersion",
                "kind",
            ):
                required.append(field)
        schema: JsonObject = {
            "description": description,
            "type": "object",
            "properties": properties,
        }
        if required:
            schema["required"] = sorted(required)
        if cls in gvks:
            schema["x-kubernetes-group-version-kind"] = gvks[cls]
        result[name] = schema
    return result
