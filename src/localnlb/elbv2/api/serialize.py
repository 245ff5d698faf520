"""Result dicts → XML, walking the operation's output shape; errors → XML, in one place.

ELBv2 answers ``<OpResponse><OpResult>…</OpResult><ResponseMetadata>`` (the ``OpResult`` element
is required even when empty: botocore raises ``KeyError`` without it); EC2 answers
``<OpResponse><requestId/>…</OpResponse>`` with ``locationName`` elements and ``<item>`` lists.
An empty list is written as ``<Name/>`` so that clients read ``[]``; ``None`` members are omitted.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from botocore.model import ListShape, OperationModel, Shape, StructureShape

from localnlb.elbv2.api.errors import AwsError
from localnlb.elbv2.api.service_model import Dialect, xml_namespace


def serialize_result(
    operation: OperationModel, result: dict[str, Any], *, dialect: Dialect, request_id: str
) -> str:
    name = operation.name
    namespace = xml_namespace(dialect)
    parts: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    parts.append(f'<{name}Response xmlns="{namespace}">')
    shape = operation.output_shape
    if dialect is Dialect.EC2:
        parts.append(f"<requestId>{request_id}</requestId>")
        if shape is not None:
            _members(parts, result, shape)
    else:
        wrapper = shape.serialization.get("resultWrapper") if shape is not None else None
        wrapper = wrapper or f"{name}Result"
        if shape is not None and result:
            parts.append(f"<{wrapper}>")
            _members(parts, result, shape)
            parts.append(f"</{wrapper}>")
        else:
            parts.append(f"<{wrapper}/>")
        parts.append(f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>")
    parts.append(f"</{name}Response>")
    return "".join(parts)


def serialize_error(error: AwsError, *, dialect: Dialect, request_id: str) -> str:
    code = escape(error.code)
    message = escape(error.message)
    if dialect is Dialect.EC2:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error>"
            f"</Errors><RequestID>{request_id}</RequestID></Response>"
        )
    fault = "Sender" if error.sender_fault else "Receiver"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<ErrorResponse xmlns="{xml_namespace(dialect)}"><Error><Type>{fault}</Type>'
        f"<Code>{code}</Code><Message>{message}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    )


@dataclass(frozen=True, slots=True)
class _Field:
    """How one member is written, worked out once per shape (the walk is the hot path)."""

    name: str
    tag: str
    shape: Shape
    kind: str  # "structure" | "list" | "flat-list" | "timestamp" | "scalar"
    item_tag: str = ""


_FIELDS: dict[int, tuple[_Field, ...]] = {}


def _fields(shape: StructureShape) -> tuple[_Field, ...]:
    found = _FIELDS.get(id(shape))
    if found is None:
        found = _FIELDS[id(shape)] = tuple(
            _field(name, member.serialization.get("name", name), member)
            for name, member in shape.members.items()
        )
    return found


def _field(name: str, tag: str, shape: Shape) -> _Field:
    if isinstance(shape, ListShape):
        kind = "flat-list" if shape.serialization.get("flattened") else "list"
        return _Field(name, tag, shape, kind, shape.member.serialization.get("name", "member"))
    if isinstance(shape, StructureShape):
        return _Field(name, tag, shape, "structure")
    return _Field(name, tag, shape, "timestamp" if shape.type_name == "timestamp" else "scalar")


def _members(parts: list[str], value: dict[str, Any], shape: StructureShape) -> None:
    for field in _fields(shape):
        item = value.get(field.name)
        if item is not None:
            _write(parts, field, item)


def _write(parts: list[str], field: _Field, value: Any) -> None:
    tag = field.tag
    kind = field.kind
    if kind == "scalar":
        parts.append(f"<{tag}>{_scalar(value)}</{tag}>")
    elif kind == "structure":
        parts.append(f"<{tag}>")
        _members(parts, value, field.shape)  # type: ignore[arg-type]
        parts.append(f"</{tag}>")
    elif kind == "timestamp":
        parts.append(f"<{tag}>{format_timestamp(value)}</{tag}>")
    else:
        item = _item_field(field)
        if kind == "flat-list":
            for element in value:
                _write(parts, item, element)
        elif not value:
            parts.append(f"<{tag}/>")
        else:
            parts.append(f"<{tag}>")
            for element in value:
                _write(parts, item, element)
            parts.append(f"</{tag}>")


_ITEMS: dict[int, _Field] = {}


def _item_field(field: _Field) -> _Field:
    found = _ITEMS.get(id(field.shape))
    if found is None:
        member = field.shape.member  # type: ignore[attr-defined]
        found = _ITEMS[id(field.shape)] = _field(field.item_tag, field.item_tag, member)
    return found


def _scalar(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    text = str(value)
    return escape(text) if ("&" in text or "<" in text or ">" in text) else text


def format_timestamp(value: float | datetime.datetime) -> str:
    """AWS style: ``2016-03-25T21:26:12.920Z``."""
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.fromtimestamp(value, tz=datetime.UTC)
    value = value.astimezone(datetime.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
