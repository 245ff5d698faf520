"""List paging: the matching items of one page, ``limit`` and opaque ``continue`` tokens (the
revision and the last key)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from localnlb.cluster.apiserver.objects import status

JsonObject = dict[str, Any]


def page(
    items: list[JsonObject],
    revision: int,
    *,
    matches: Callable[[JsonObject], bool],
    limit: int,
    continue_token: str,
) -> tuple[list[JsonObject], JsonObject]:
    """The matching items of the page a list asks for (items sorted by namespace and name,
    as the store lists them), and its list metadata: resourceVersion, continue, remaining."""
    start_after: tuple[str, str] | None = None
    if continue_token:
        revision, start_after = decode_continue(continue_token)
    selected = []
    for item in items:
        key = (item["metadata"].get("namespace", ""), item["metadata"]["name"])
        if start_after is not None and key <= start_after:
            continue
        if matches(item):
            selected.append(item)
    list_meta: JsonObject = {"resourceVersion": str(revision)}
    if limit > 0 and len(selected) > limit:
        selected = selected[:limit]
        last = selected[-1]["metadata"]
        list_meta["continue"] = encode_continue(revision, (last.get("namespace", ""), last["name"]))
        list_meta["remainingItemCount"] = len(items) - len(selected)
    return selected, list_meta


def encode_continue(revision: int, after: tuple[str, str]) -> str:
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": revision, "start": list(after)})
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_continue(token: str) -> tuple[int, tuple[str, str]]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        return int(data["rv"]), (str(data["start"][0]), str(data["start"][1]))
    except (ValueError, KeyError, IndexError, TypeError):
        raise status.bad_request(
            "continue key is not valid: incorrect encoded start"
            " resourceVersion (version meta.k8s.io/v1)"
        ) from None
