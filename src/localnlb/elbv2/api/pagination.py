"""Marker/NextMarker/PageSize paging (ELBv2) and NextToken/MaxResults paging (EC2).

Markers are opaque to clients; ours encode the offset of the next item. ``NextMarker`` is present
only when more results remain (the CLI loops while it is present).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TypeVar

from localnlb.elbv2.api.errors import ValidationError

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 400


def encode_marker(offset: int) -> str:
    return base64.urlsafe_b64encode(f"localnlb:{offset}".encode()).decode()


def decode_marker(marker: str) -> int:
    try:
        text = base64.urlsafe_b64decode(marker.encode()).decode()
        prefix, _, offset = text.partition(":")
        if prefix != "localnlb":
            raise ValueError(marker)
        return int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationError(f"Invalid marker: '{marker}'") from exc


def paginate(
    items: Sequence[T], *, marker: str | None, page_size: int | None
) -> tuple[Sequence[T], str | None]:
    start = decode_marker(marker) if marker else 0
    size = page_size or DEFAULT_PAGE_SIZE
    page = items[start : start + size]
    end = start + size
    return page, (encode_marker(end) if end < len(items) else None)
