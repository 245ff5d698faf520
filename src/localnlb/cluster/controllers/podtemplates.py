"""Pod templates: the pod-template-hash and the pods a ReplicaSet stamps out of its template.

The hash is FNV-1a (32 bit) over the template's canonical JSON plus the collision count,
rendered with Kubernetes' "safe" alphabet (no vowels, no look-alike digits) — the same shape as
upstream's ``ui-5f8c9b6d7`` names, though not bit-for-bit upstream's value, which hashes Go's
struct dump. Pod names get upstream's five random safe characters.
"""

from __future__ import annotations

import copy
import json
import secrets
from collections.abc import Mapping
from typing import Any

from localnlb.cluster.controllers import objects
from localnlb.cluster.controllers.objects import KubeObject

SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
POD_TEMPLATE_HASH_LABEL = "pod-template-hash"


def safe_encode(value: int) -> str:
    digits = []
    while True:
        value, remainder = divmod(value, len(SAFE_ALPHABET))
        digits.append(SAFE_ALPHABET[remainder])
        if value == 0:
            return "".join(reversed(digits))


def fnv1a_32(data: bytes) -> int:
    hashed = 0x811C9DC5
    for byte in data:
        hashed ^= byte
        hashed = (hashed * 0x01000193) & 0xFFFFFFFF
    return hashed


def pod_template_hash(template: Mapping[str, Any], collision_count: int = 0) -> str:
    canonical = json.dumps(template, sort_keys=True, separators=(",", ":"))
    return safe_encode(fnv1a_32(f"{canonical}{collision_count or ''}".encode()))


def random_suffix(length: int = 5) -> str:
    return "".join(secrets.choice(SAFE_ALPHABET) for _ in range(length))


def template_without_hash(template: Mapping[str, Any]) -> dict[str, Any]:
    """The template as its Deployment wrote it (the RS adds the hash label to its copy)."""
    stripped = copy.deepcopy(dict(template))
    labels = (stripped.get("metadata") or {}).get("labels") or {}
    labels.pop(POD_TEMPLATE_HASH_LABEL, None)
    return stripped


def pod_from_template(owner: Mapping[str, Any]) -> KubeObject:
    """A new pod for ``owner`` (a ReplicaSet), named by the API server from generateName."""
    template = copy.deepcopy(objects.spec(owner).get("template") or {})
    template_meta = template.get("metadata") or {}
    metadata: KubeObject = {
        "generateName": f"{objects.name_of(owner)}-",
        "namespace": objects.namespace_of(owner),
        "labels": dict(template_meta.get("labels") or {}),
        "ownerReferences": [objects.owner_reference(owner)],
    }
    if template_meta.get("annotations"):
        metadata["annotations"] = dict(template_meta["annotations"])
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": template.get("spec") or {},
    }
