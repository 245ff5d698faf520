"""What happens to an object on its way in, before defaulting and validation: the body is the
right kind and is decoded as the server decodes it (typed, pruned, schema-defaulted, in its
stored shape), a new object starts with the status its kind starts with, and the status
subresource splits writes between spec and status.
"""

from __future__ import annotations

from typing import Any

from localnlb.cluster.apiserver.admission.crd_validation import apply_schema_defaults
from localnlb.cluster.apiserver.decoding import typed
from localnlb.cluster.apiserver.decoding.unknown_fields import unknown_fields
from localnlb.cluster.apiserver.objects import meta, status
from localnlb.cluster.apiserver.objects.meta import clone
from localnlb.cluster.apiserver.objects.shapes import stored_shape
from localnlb.cluster.quantity import parse_quantity
from localnlb.cluster.schema.kinds import ResourceType

JsonObject = dict[str, Any]
CRD_KEY = "apiextensions.k8s.io/customresourcedefinitions"
_WORKLOAD_KEYS = (
    "apps/deployments",
    "apps/replicasets",
    "apps/statefulsets",
    "apps/daemonsets",
    "batch/jobs",
    "batch/cronjobs",
)
GENERATION_KEYS = (*_WORKLOAD_KEYS, CRD_KEY)
_STATUS_RESET_ON_CREATE = (*_WORKLOAD_KEYS, CRD_KEY)


def check_type(rt: ResourceType, obj: Any) -> None:
    """The body is an object of this resource's group and kind."""
    if not isinstance(obj, dict):
        raise status.bad_request("the object provided is not a JSON object")
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not kind:
        raise status.bad_request("Object 'Kind' is missing in the request body")
    group, _, _version = str(api_version or "").rpartition("/")
    if api_version and (group != rt.group):
        raise status.bad_request(
            f"the API version in the data ({api_version}) does not match the expected API"
            f" version ({rt.group_version})"
        )
    if kind != rt.kind:
        raise status.bad_request(
            f"the kind in the data ({kind}) does not match the expected kind ({rt.kind})"
        )


def prepare_create(rt: ResourceType, obj: JsonObject, *, wall: float) -> None:
    """Status a new object starts with (most kinds: none; pods Pending; CRDs accepted)."""
    if rt.store_key in _STATUS_RESET_ON_CREATE or (rt.is_custom and "status" in rt.subresources):
        obj.pop("status", None)
    if rt.store_key == "/pods":
        obj["status"] = {"phase": "Pending", "qosClass": _qos_class(obj)}
    if rt.store_key == "/services":
        obj["status"] = {"loadBalancer": {}}
    if rt.store_key == "/namespaces":
        obj["status"] = {"phase": "Active"}
    if rt.store_key == CRD_KEY:
        obj["status"] = _crd_status(obj, wall)


def merge_for_subresource(
    rt: ResourceType, obj: JsonObject, old: JsonObject, subresource: str
) -> JsonObject:
    """Writes to /status change only status (/finalize only a namespace's spec.finalizers);
    other writes keep the stored status."""
    if subresource == "finalize":
        new = clone(old)
        new.setdefault("spec", {})["finalizers"] = (obj.get("spec") or {}).get("finalizers") or []
        return new
    if subresource == "status":
        new = clone(old)
        if "status" in obj:
            new["status"] = obj["status"]
        else:
            new.pop("status", None)
        return new
    if "status" in rt.subresources:
        if "status" in old:
            obj["status"] = clone(old["status"])
        else:
            obj.pop("status", None)
    return obj


def _crd_status(crd: JsonObject, wall: float) -> JsonObject:
    names = clone((crd.get("spec") or {}).get("names") or {})
    names.setdefault("singular", str(names.get("kind", "")).lower())
    names.setdefault("listKind", f"{names.get('kind', '')}List")
    when = meta.timestamp(wall)
    return {
        "acceptedNames": names,
        "conditions": [
            {
                "type": "NamesAccepted",
                "status": "True",
                "lastTransitionTime": when,
                "reason": "NoConflicts",
                "message": "no conflicts found",
            },
            {
                "type": "Established",
                "status": "True",
                "lastTransitionTime": when,
                "reason": "InitialNamesAccepted",
                "message": "the initial names have been accepted",
            },
        ],
        "storedVersions": [
            v["name"] for v in (crd.get("spec") or {}).get("versions") or [] if v.get("storage")
        ],
    }


def _qos_class(pod: JsonObject) -> str:
    containers = (pod.get("spec") or {}).get("containers") or []
    resources = [c.get("resources") or {} for c in containers if isinstance(c, dict)]
    if not any(r.get("requests") or r.get("limits") for r in resources):
        return "BestEffort"
    guaranteed = all(_guaranteed(r) for r in resources)
    return "Guaranteed" if guaranteed else "Burstable"


def _guaranteed(resources: JsonObject) -> bool:
    limits, requests = resources.get("limits") or {}, resources.get("requests") or {}
    for name in ("cpu", "memory"):
        if name not in limits:
            return False
        if not _same_quantity(requests.get(name, limits[name]), limits[name]):
            return False
    return True


def _same_quantity(request: Any, limit: Any) -> bool:
    """Equal in value, as the kubelet's Quantity.Cmp finds ("1" and "1000m", "1k" and "1e3")."""
    try:
        return parse_quantity(request) == parse_quantity(limit)
    except ValueError:  # not a quantity: only the very same spelling is the same
        return bool(request == limit)


def decoded(rt: ResourceType, obj: JsonObject) -> JsonObject:
    """A copy of a written body as the server decodes it: typed, pruned, defaulted, shaped."""
    obj = clone(obj)
    check_type(rt, obj)
    typed.decode(rt, obj)
    unknown_fields(rt, obj, prune=True)  # as decoding into typed objects drops them
    if rt.is_custom and rt.schema:
        apply_schema_defaults(rt.schema, obj)
    return stored_shape(rt, obj)
