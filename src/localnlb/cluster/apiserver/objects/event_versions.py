"""core/v1 and events.k8s.io/v1 Events are one stored object seen in two shapes.

Events are stored in the core shape (what ``kubectl describe`` reads); the events.k8s.io view
renames fields on the way out and back (pkg/apis/events/v1 conversion): regarding ↔
involvedObject, note ↔ message, reportingController ↔ reportingComponent, deprecatedSource ↔
source, deprecatedFirstTimestamp/LastTimestamp/Count ↔ firstTimestamp/lastTimestamp/count.
"""

from __future__ import annotations

from typing import Any

JsonObject = dict[str, Any]
_RENAMES = (
    ("regarding", "involvedObject"),
    ("note", "message"),
    ("reportingController", "reportingComponent"),
    ("deprecatedSource", "source"),
    ("deprecatedFirstTimestamp", "firstTimestamp"),
    ("deprecatedLastTimestamp", "lastTimestamp"),
    ("deprecatedCount", "count"),
)


def to_core(event: JsonObject) -> JsonObject:
    converted = dict(event)
    for new_name, core_name in _RENAMES:
        converted.pop(core_name, None)
        if new_name in event:
            converted[core_name] = converted.pop(new_name)
    converted["apiVersion"] = "v1"
    return converted


def from_core(event: JsonObject) -> JsonObject:
    converted = dict(event)
    for new_name, core_name in _RENAMES:
        converted.pop(new_name, None)
        if core_name in event:
            converted[new_name] = converted.pop(core_name)
    converted["apiVersion"] = "events.k8s.io/v1"
    return converted
