"""List paging: ``limit`` and opaque ``continue`` tokens (the revision and the last key)."""

from __future__ import annotations

import base64
import json

from localnlb.cluster.apiserver import status


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
