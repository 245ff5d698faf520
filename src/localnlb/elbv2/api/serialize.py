"""Result dicts → XML, walking the operation's output shape; errors → XML, in one place.

ELBv2 answers ``<OpResponse><OpResult>…</OpResult><ResponseMetadata>`` (the ``OpResult`` element
is required even when empty: botocore raises ``KeyError`` without it); EC2 answers
``<OpResponse><requestId/>…</OpResponse>`` with ``locationName`` elements and ``<item>`` lists.
An empty list is written as ``<Name/>`` so that clients read ``[]``; ``None`` members are omitted.
"""

from __future__ import annotations

import datetime
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


def _members(parts: list[str], value: dict[str, Any], shape: StructureShape) -> None:
    for name, member in shape.members.items():
        item = value.get(name)
        if item is None:
            continue
        _element(parts, member.serialization.get("name", name), item, member)


def _element(parts: list[str], tag: str, value: Any, shape: Shape) -> None:
    if isinstance(shape, ListShape):
        item_tag = shape.member.serialization.get("name", "member")
        if shape.serialization.get("flattened"):
            for item in value:
                _element(parts, item_tag, item, shape.member)
            return
        if not value:
            parts.append(f"<{tag}/>")
            return
        parts.append(f"<{tag}>")
        for item in value:
            _element(parts, item_tag, item, shape.member)
        parts.append(f"</{tag}>")
        return
    if isinstance(shape, StructureShape):
        parts.append(f"<{tag}>")
        _members(parts, value, shape)
        parts.append(f"</{tag}>")
        return
    parts.append(f"<{tag}>{_scalar(value, shape)}</{tag}>")


def _scalar(value: Any, shape: Shape) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if shape.type_name == "timestamp":
        return format_timestamp(value)
    return escape(str(value))


def format_timestamp(value: float | datetime.datetime) -> str:
    """AWS style: ``2016-03-25T21:26:12.920Z``."""
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.fromtimestamp(value, tz=datetime.UTC)
    value = value.astimezone(datetime.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
