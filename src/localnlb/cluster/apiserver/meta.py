"""Object metadata the server owns: uid, creationTimestamp, generation, generateName, managed
fields, and the "what changed" comparisons that decide generation bumps and no-op writes.
"""

from __future__ import annotations

import copy
import datetime
import secrets
import uuid
from typing import Any

JsonObject = dict[str, Any]

# k8s.io/apiserver's name generator alphabet: no vowels, no confusable characters.
_GENERATE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
SYSTEM_METADATA = (
    "uid",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "generation",
    "selfLink",
)


def timestamp(wall: float) -> str:
    """RFC 3339 in seconds, UTC, as Kubernetes serialises metav1.Time."""
    moment = datetime.datetime.fromtimestamp(int(wall), tz=datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def micro_timestamp(wall: float) -> str:
    moment = datetime.datetime.fromtimestamp(wall, tz=datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(text: str) -> float:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def generate_name(prefix: str) -> str:
    suffix = "".join(secrets.choice(_GENERATE_ALPHABET) for _ in range(5))
    return f"{prefix[: 63 - 5]}{suffix}"


def new_uid() -> str:
    return str(uuid.uuid4())


def stamp_new(obj: JsonObject, *, wall: float) -> None:
    metadata = obj.setdefault("metadata", {})
    for name in (*SYSTEM_METADATA, "resourceVersion"):
        metadata.pop(name, None)
    metadata["uid"] = new_uid()
    metadata["creationTimestamp"] = timestamp(wall)
    metadata["generation"] = 1


def carry_system_metadata(new: JsonObject, old: JsonObject) -> None:
    """An update may not change what the server owns."""
    metadata = new.setdefault("metadata", {})
    for name in SYSTEM_METADATA:
        if name in old["metadata"]:
            metadata[name] = old["metadata"][name]
        else:
            metadata.pop(name, None)


def without_noise(obj: JsonObject) -> JsonObject:
    """The object minus what changes on every write (for no-op detection)."""
    trimmed = copy.deepcopy(obj)
    metadata = trimmed.get("metadata", {})
    metadata.pop("resourceVersion", None)
    metadata.pop("managedFields", None)
    return trimmed


def spec_changed(new: JsonObject, old: JsonObject) -> bool:
    """Anything but metadata and status changed: the generation moves (as for CRs and apps)."""
    ignored = {"metadata", "status", "apiVersion", "kind"}
    keys = (set(new) | set(old)) - ignored
    return any(new.get(key) != old.get(key) for key in keys)


def fields_v1(value: Any) -> dict[str, Any]:
    """A managedFields FieldsV1 set covering ``value`` (maps field by field, lists whole)."""
    if not isinstance(value, dict):
        return {}
    return {f"f:{key}": fields_v1(child) for key, child in value.items()}


def managed_entry(
    obj: JsonObject, *, manager: str, operation: str, wall: float, subresource: str = ""
) -> JsonObject:
    fields = {key: value for key, value in obj.items() if key not in {"apiVersion", "kind"}}
    metadata = dict(fields.get("metadata", {}))
    for name in (
        *SYSTEM_METADATA,
        "resourceVersion",
        "managedFields",
        "name",
        "namespace",
        "generateName",
    ):
        metadata.pop(name, None)
    if metadata:
        fields["metadata"] = metadata
    else:
        fields.pop("metadata", None)
    if subresource == "status":
        fields = {"status": fields.get("status", {})}
    else:
        fields.pop("status", None)
    entry: JsonObject = {
        "manager": manager,
        "operation": operation,
        "apiVersion": obj.get("apiVersion", "v1"),
        "time": timestamp(wall),
        "fieldsType": "FieldsV1",
        "fieldsV1": fields_v1(fields),
    }
    if subresource:
        entry["subresource"] = subresource
    return entry


def record_manager(
    obj: JsonObject,
    *,
    manager: str,
    operation: str,
    wall: float,
    subresource: str = "",
    previous: list[JsonObject] | None = None,
) -> None:
    """Replace ``manager``'s entry (same operation and subresource) in managedFields."""
    entries = [
        entry
        for entry in (previous or [])
        if not (
            entry.get("manager") == manager
            and entry.get("operation") == operation
            and entry.get("subresource", "") == subresource
        )
    ]
    entries.append(
        managed_entry(obj, manager=manager, operation=operation, wall=wall, subresource=subresource)
    )
    obj.setdefault("metadata", {})["managedFields"] = entries
