"""Object metadata the server owns: uid, creationTimestamp, generation, generateName, managed
fields, and the "what changed" comparisons that decide generation bumps and no-op writes.
"""

from __future__ import annotations

import datetime
import json
import secrets
import uuid
from typing import Any, TypeVar

JsonObject = dict[str, Any]
T = TypeVar("T")

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


def clone(value: T) -> T:
    """A deep copy of JSON data (several times faster than copy.deepcopy)."""
    copied: T = json.loads(json.dumps(value))
    return copied


def without_noise(obj: JsonObject) -> JsonObject:
    """The object minus what changes on every write (for no-op detection)."""
    trimmed = clone(obj)
    metadata = trimmed.get("metadata", {})
    metadata.pop("resourceVersion", None)
    metadata.pop("managedFields", None)
    return trimmed


def spec_changed(new: JsonObject, old: JsonObject) -> bool:
    """Anything but metadata and status changed: the generation moves (as for CRs and apps)."""
    ignored = {"metadata", "status", "apiVersion", "kind"}
    keys = (set(new) | set(old)) - ignored
    return any(new.get(key) != old.get(key) for key in keys)
