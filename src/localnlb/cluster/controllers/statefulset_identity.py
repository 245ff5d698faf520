"""A StatefulSet pod's identity: its ordinal, its name, hostname and subdomain, its claims.

Pod ``<set>-<ordinal>`` gets ``hostname`` = its name and ``subdomain`` = the governing Service
(``spec.serviceName``), the labels ``statefulset.kubernetes.io/pod-name``,
``apps.kubernetes.io/pod-index`` and ``controller-revision-hash`` (the revision of the template it
was made from), and one ``persistentVolumeClaim`` volume per ``volumeClaimTemplates`` entry,
naming the claim ``<template>-<set>-<ordinal>``. Claims carry the template's labels plus the
set's selector labels and, under the default retention policy (Retain), no owner: they outlive
their pod and their set. Pure.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from localnlb.cluster.controllers import objects
from localnlb.cluster.controllers.objects import KubeObject
from localnlb.cluster.controllers.podtemplates import pod_template_hash

POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
REVISION_LABEL = "controller-revision-hash"


def start_ordinal(stateful_set: Mapping[str, Any]) -> int:
    return int((objects.spec(stateful_set).get("ordinals") or {}).get("start", 0))


def ordinals(stateful_set: Mapping[str, Any]) -> range:
    """The ordinals the set wants: ``start .. start+replicas-1``."""
    start = start_ordinal(stateful_set)
    return range(start, start + int(objects.spec(stateful_set).get("replicas", 1)))


def ordinal_of(stateful_set: Mapping[str, Any], pod: Mapping[str, Any]) -> int | None:
    """The pod's ordinal when its name is ``<set>-<n>``, else None (not one of the set's)."""
    prefix, _, suffix = objects.name_of(pod).rpartition("-")
    if prefix != objects.name_of(stateful_set) or not suffix.isdigit():
        return None
    return int(suffix)


def pod_name(stateful_set: Mapping[str, Any], ordinal: int) -> str:
    return f"{objects.name_of(stateful_set)}-{ordinal}"


def claim_name(template_name: str, stateful_set: Mapping[str, Any], ordinal: int) -> str:
    return f"{template_name}-{objects.name_of(stateful_set)}-{ordinal}"


def update_revision(stateful_set: Mapping[str, Any]) -> str:
    """The revision name of the current template (``<set>-<hash>``, as ControllerRevisions)."""
    template = objects.spec(stateful_set).get("template") or {}
    return f"{objects.name_of(stateful_set)}-{pod_template_hash(template)}"


def revision_of(pod: Mapping[str, Any]) -> str:
    return objects.labels_of(pod).get(REVISION_LABEL, "")


def claim_templates(stateful_set: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [
        t
        for t in objects.spec(stateful_set).get("volumeClaimTemplates") or ()
        if isinstance(t, dict)
    ]


def new_claim(
    stateful_set: Mapping[str, Any], template: Mapping[str, Any], ordinal: int
) -> KubeObject:
    template_meta = objects.meta(template)
    selector_labels = (objects.spec(stateful_set).get("selector") or {}).get("matchLabels") or {}
    metadata: KubeObject = {
        "name": claim_name(str(template_meta.get("name", "")), stateful_set, ordinal),
        "namespace": objects.namespace_of(stateful_set),
        "labels": {**(template_meta.get("labels") or {}), **selector_labels},
    }
    if template_meta.get("annotations"):
        metadata["annotations"] = dict(template_meta["annotations"])
    policy = objects.spec(stateful_set).get("persistentVolumeClaimRetentionPolicy") or {}
    if policy.get("whenDeleted") == "Delete":
        metadata["ownerReferences"] = [objects.owner_reference(stateful_set, controller=False)]
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": metadata,
        "spec": copy.deepcopy(objects.spec(template)),
    }


def new_pod(stateful_set: Mapping[str, Any], ordinal: int) -> KubeObject:
    """The pod for ``ordinal``, stamped from the current template."""
    template = copy.deepcopy(objects.spec(stateful_set).get("template") or {})
    template_meta = template.get("metadata") or {}
    name = pod_name(stateful_set, ordinal)
    labels = {
        **(template_meta.get("labels") or {}),
        POD_NAME_LABEL: name,
        POD_INDEX_LABEL: str(ordinal),
        REVISION_LABEL: update_revision(stateful_set),
    }
    metadata: KubeObject = {
        "name": name,
        "namespace": objects.namespace_of(stateful_set),
        "labels": labels,
        "ownerReferences": [objects.owner_reference(stateful_set)],
    }
    if template_meta.get("annotations"):
        metadata["annotations"] = dict(template_meta["annotations"])
    spec: KubeObject = template.get("spec") or {}
    spec["hostname"] = name
    service_name = objects.spec(stateful_set).get("serviceName")
    if service_name:
        spec["subdomain"] = service_name
    claimed = {
        str(objects.meta(t).get("name", "")): claim_name(
            str(objects.meta(t).get("name", "")), stateful_set, ordinal
        )
        for t in claim_templates(stateful_set)
    }
    volumes = [v for v in spec.get("volumes") or () if v.get("name") not in claimed]
    volumes += [
        {"name": volume, "persistentVolumeClaim": {"claimName": claim}}
        for volume, claim in claimed.items()
    ]
    if volumes:
        spec["volumes"] = volumes
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}
