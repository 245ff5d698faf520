"""The change records the store emits: one per committed write, in resourceVersion order."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

JsonObject = dict[str, Any]


class ChangeType(enum.Enum):
    ADDED = "ADDED"
    MODIFIED = "MODIFIED"
    DELETED = "DELETED"


@dataclass(frozen=True, slots=True)
class Change:
    """One committed write. ``previous`` is the object before it (None for ADDED)."""

    revision: int
    resource: str
    namespace: str
    name: str
    type: ChangeType
    object: JsonObject
    previous: JsonObject | None
