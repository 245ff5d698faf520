"""Decoding a body into the kind's typed shape, as a real server's JSON decoding does: a value
of the wrong JSON type is refused (``Pod in version "v1" cannot be handled as a Pod: json:
cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container``)
and ``null`` fields are dropped, as typed objects never carry them.

Types come from lightkube-models' dataclasses; custom resources are checked against their
schema later (422 Invalid), as the real server does.
"""

from __future__ import annotations

import datetime
import types
import typing
from typing import Any

from localnlb.cluster.apiserver.objects import status
from localnlb.cluster.schema import models
from localnlb.cluster.schema.kinds import ResourceType

_FREE_FORM = ("RawExtension", "JSON", "FieldsV1")


class _BadTime(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _is_timestamp(text: str) -> bool:
    try:
        datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in text


class _Mismatch(Exception):
    def __init__(self, found: str, struct: str, path: str, wanted: str) -> None:
        super().__init__(path)
        self.found, self.struct, self.path, self.wanted = found, struct, path, wanted


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _go_type(hint: Any) -> str:
    hint = models.unwrap(hint)
    origin = typing.get_origin(hint)
    if origin is list or hint is list:
        args = typing.get_args(hint)
        return "[]" + (_go_type(args[0]) if args else "interface {}")
    if origin is dict or hint is dict:
        args = typing.get_args(hint)
        return f"map[string]{_go_type(args[1])}" if len(args) == 2 else "map[string]string"
    if hint is str or hint is datetime.datetime:
        return "string"
    if hint is int:
        return "int32"
    if hint is bool:
        return "bool"
    if hint is float:
        return "float64"
    if isinstance(hint, type):
        module = hint.__module__.rsplit(".", 1)[-1]
        return f"{module.rsplit('_', 1)[-1]}.{hint.__name__}"
    return "interface {}"


def decode(rt: ResourceType, body: dict[str, Any]) -> None:
    """Drop nulls and refuse wrongly typed values in ``body`` (in place)."""
    if rt.is_custom:
        return
    cls = models.model_class(rt.group, rt.version, rt.kind)
    if cls is None:
        return
    try:
        _object(body, cls, "")
    except _BadTime as bad:
        raise status.bad_request(
            f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: parsing time'
            f' "{bad.text}" as "2006-01-02T15:04:05Z07:00": cannot parse "{bad.text}" as "2006"'
        ) from None
    except _Mismatch as mismatch:
        raise status.bad_request(
            f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: json:'
            f" cannot unmarshal {mismatch.found} into Go struct field"
            f" {mismatch.struct}.{mismatch.path} of type {mismatch.wanted}"
        ) from None


def _object(value: dict[str, Any], cls: type, path: str) -> None:
    fields = models.fields_of(cls)
    for key in list(value):
        element = value[key]
        if element is None:
            del value[key]
            continue
        hint = fields.get(key)
        if hint is None:
            continue
        _value(element, hint, f"{path}.{key}" if path else key, cls.__name__)
        if element in ({}, []) and _omitted_when_empty(hint):
            del value[key]


def _value(value: Any, hint: Any, path: str, struct: str) -> None:
    hint = models.unwrap(hint)
    origin = typing.get_origin(hint)
    if hint is Any or origin is typing.Union:  # IntOrString and friends
        if isinstance(value, dict | list):
            raise _Mismatch(_json_type(value), struct, path, "intstr.IntOrString")
        return
    if origin is list or hint is list:
        if not isinstance(value, list):
            raise _Mismatch(_json_type(value), struct, path, _go_type(hint))
        args = typing.get_args(hint)
        for index, element in enumerate(value):
            if not args:
                continue
            if element is None:  # decodes to the zero value of the element type
                value[index] = _zero(args[0])
            else:
                _value(element, args[0], path, struct)
        return
    if origin is dict or hint is dict:
        if not isinstance(value, dict):
            raise _Mismatch(_json_type(value), struct, path, _go_type(hint))
        args = typing.get_args(hint)
        if len(args) == 2:
            for element in value.values():
                if element is not None:
                    _value(element, args[1], path, struct)
        return  # an untyped map (resource lists, fieldsV1): any values
    if hint is datetime.datetime:
        if not isinstance(value, str):
            raise _Mismatch(_json_type(value), struct, path, "v1.Time")
        if not _is_timestamp(value):
            raise _BadTime(value)
        return
    expected: tuple[type, ...] | None = {
        str: (str,),
        bool: (bool,),
        int: (int,),
        float: (int, float),
    }.get(hint)
    if expected is not None:
        if not isinstance(value, expected) or (hint in (int, float) and isinstance(value, bool)):
            raise _Mismatch(_json_type(value), struct, path, _go_type(hint))
        return
    if models.is_model(hint) and getattr(hint, "__name__", "") not in _FREE_FORM:
        if not isinstance(value, dict):
            raise _Mismatch(_json_type(value), struct, path, _go_type(hint))
        _object(value, hint, path)


def _zero(hint: Any) -> Any:
    hint = models.unwrap(hint)
    if hint is str or hint is datetime.datetime:
        return ""
    if hint is int or hint is float:
        return 0
    if hint is bool:
        return False
    if typing.get_origin(hint) is list or hint is list:
        return []
    return {}


def _omitted_when_empty(hint: Any) -> bool:
    """Optional maps and lists are ``omitempty`` in Go: empty ones are not kept."""
    if typing.get_origin(hint) not in (typing.Union, types.UnionType):
        return False
    inner = models.unwrap(hint)
    if inner is dict or inner is list:  # lightkube's string maps (labels, limits)
        return True
    # A bare typing.Dict stands for a free-form or empty struct (subresources.status): kept.
    return typing.get_origin(inner) in (list, dict) and bool(typing.get_args(inner))
