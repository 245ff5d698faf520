"""CustomResourceDefinitions and custom objects: the structural checks a real server makes.

A CRD needs a group, names, a scope and at least one served version with exactly one storage
version; a custom object is checked against its version's openAPIV3Schema (types, required
fields, enums), with the real server's field paths.
"""

from __future__ import annotations

from typing import Any

from localnlb.cluster.apiserver.objects.causes import invalid_value, required, unsupported
from localnlb.cluster.apiserver.objects.meta import clone
from localnlb.cluster.apiserver.objects.status import Cause
from localnlb.cluster.schema.kinds import ResourceType

JsonObject = dict[str, Any]
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
}


def validate_crd(crd: JsonObject) -> list[Cause]:
    spec = crd.get("spec") or {}
    causes: list[Cause] = []
    names = spec.get("names") or {}
    for field in ("group",):
        if not spec.get(field):
            causes.append(required(f"spec.{field}"))
    for field in ("plural", "kind"):
        if not names.get(field):
            causes.append(required(f"spec.names.{field}"))
    if spec.get("scope") not in ("Namespaced", "Cluster"):
        causes.append(unsupported("spec.scope", spec.get("scope", ""), ("Cluster", "Namespaced")))
    versions = spec.get("versions") or []
    if not versions or sum(1 for v in versions if v.get("storage")) != 1:
        causes.append(
            invalid_value(
                "spec.versions", versions, "must have exactly one version marked as storage version"
            )
        )
    expected = f"{names.get('plural', '')}.{spec.get('group', '')}"
    name = (crd.get("metadata") or {}).get("name")
    if name != expected:
        causes.append(
            invalid_value("metadata.name", name, 'must be spec.names.plural+"."+spec.group')
        )
    return causes


def validate_custom_object(rt: ResourceType, obj: JsonObject) -> list[Cause]:
    schema = rt.schema or {}
    causes: list[Cause] = []
    body = {
        key: value for key, value in obj.items() if key not in ("apiVersion", "kind", "metadata")
    }
    properties = schema.get("properties") or {}
    for key, value in body.items():
        if key in properties:
            causes += _check(value, properties[key], key)
    for key in schema.get("required") or []:
        if key not in obj:
            causes.append(required(key))
    return causes


def _check(value: Any, schema: JsonObject, path: str) -> list[Cause]:
    expected = schema.get("type")
    int_or_string = schema.get("x-kubernetes-int-or-string")
    if int_or_string:
        if not isinstance(value, int | str):
            return [invalid_value(path, value, "must be an integer or a string")]
        return []
    if (expected and not isinstance(value, _TYPES.get(expected, (object,)))) or (
        expected in ("integer", "number") and isinstance(value, bool)
    ):
        rendered = {dict: "object", list: "array", str: "string", bool: "boolean"}.get(
            type(value), type(value).__name__
        )
        return [
            Cause(
                path,
                f'Invalid value: "{rendered}": {path} in body must be of type'
                f' {expected}: "{rendered}"',
                "FieldValueTypeInvalid",
            )
        ]
    causes: list[Cause] = []
    if "enum" in schema and value not in schema["enum"]:
        causes.append(unsupported(path, value, tuple(str(v) for v in schema["enum"])))
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        for key in schema.get("required") or []:
            if key not in value:
                causes.append(required(f"{path}.{key}"))
        for key, child in value.items():
            if key in properties:
                causes += _check(child, properties[key], f"{path}.{key}")
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            causes += _check(item, schema["items"], f"{path}[{index}]")
    return causes


def apply_schema_defaults(schema: JsonObject, value: Any) -> None:
    """Fill in the schema's ``default`` values that the object leaves out (in place)."""
    if isinstance(value, dict):
        for key, child in (schema.get("properties") or {}).items():
            if key not in value and "default" in child:
                value[key] = clone(child["default"])
            if key in value:
                apply_schema_defaults(child, value[key])
        additional = schema.get("additionalProperties")
        if isinstance(additional, dict):
            for element in value.values():
                apply_schema_defaults(additional, element)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for element in value:
            apply_schema_defaults(schema["items"], element)
