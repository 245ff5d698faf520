"""Table columns per kind, as kube-apiserver's printers define them
(pkg/printers/internalversion/printers.go) and CRD additionalPrinterColumns.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from localnlb.cluster.apiserver import jsonpath, meta
from localnlb.cluster.apiserver.ages import age, human_duration
from localnlb.cluster.apiserver.pod_status import pod_status_reason, ready_and_restarts
from localnlb.cluster.schema.kinds import ResourceType

JsonObject = dict[str, Any]
CellFn = Callable[[JsonObject, float], Any]
_NAME_DOC = "Name must be unique within a namespace."


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    cell: CellFn
    type: str = "string"
    format: str = ""
    priority: int = 0
    description: str = ""


def _get(obj: JsonObject, *path: str) -> Any:
    value: Any = obj
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


NAME = Column("Name", lambda o, _n: o["metadata"]["name"], format="name", description=_NAME_DOC)
AGE = Column(
    "Age",
    lambda o, now: age(o, now),
    description="CreationTimestamp is a timestamp"
    " representing the server time when this object was created.",
)


def _or_none(value: Any) -> str:
    return str(value) if value not in (None, "", []) else "<none>"


def _selector(labels: dict[str, str] | None) -> str:
    if not labels:
        return "<none>"
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def selector_text(selector: JsonObject | None) -> str:
    if not selector:
        return "<none>"
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        values = ",".join(expr.get("values") or [])
        op = {"In": "in", "NotIn": "notin"}.get(expr.get("operator", ""), "")
        if op:
            parts.append(f"{expr['key']} {op} ({values})")
        elif expr.get("operator") == "Exists":
            parts.append(expr["key"])
        else:
            parts.append(f"!{expr['key']}")
    return ",".join(parts) or "<none>"


def _containers_images(obj: JsonObject) -> tuple[str, str]:
    containers = _get(obj, "spec", "template", "spec", "containers") or []
    return (
        ",".join(c.get("name", "") for c in containers),
        ",".join(c.get("image", "") for c in containers),
    )


# -- pods ---------------------------------------------------------------------------------
def _readiness_gates(pod: JsonObject) -> str:
    gates = _get(pod, "spec", "readinessGates") or []
    if not gates:
        return "<none>"
    conditions = {c.get("type"): c.get("status") for c in _get(pod, "status", "conditions") or []}
    ready = sum(1 for g in gates if conditions.get(g.get("conditionType")) == "True")
    return f"{ready}/{len(gates)}"


def _restarts(pod: JsonObject, now: float) -> str:
    restarts, last = ready_and_restarts(pod)[2:]
    if restarts and last:
        return f"{restarts} ({human_duration(now - meta.parse_timestamp(last))} ago)"
    return str(restarts)


POD = [
    NAME,
    Column("Ready", lambda o, _n: "{}/{}".format(*ready_and_restarts(o)[:2])),
    Column("Status", lambda o, _n: pod_status_reason(o)),
    Column("Restarts", _restarts),
    AGE,
    Column("IP", lambda o, _n: _or_none(_get(o, "status", "podIP")), priority=1),
    Column("Node", lambda o, _n: _or_none(_get(o, "spec", "nodeName")), priority=1),
    Column(
        "Nominated Node", lambda o, _n: _or_none(_get(o, "status", "nominatedNodeName")), priority=1
    ),
    Column("Readiness Gates", lambda o, _n: _readiness_gates(o), priority=1),
]


# -- services -----------------------------------------------------------------------------
def _external_ip(service: JsonObject) -> str:
    spec = service.get("spec") or {}
    kind = spec.get("type", "ClusterIP")
    external = list(spec.get("externalIPs") or [])
    if kind in ("ClusterIP", "NodePort"):
        return ",".join(external) if external else "<none>"
    if kind == "ExternalName":
        return str(spec.get("externalName", ""))
    ingress = _get(service, "status", "loadBalancer", "ingress") or []
    addresses = [
        i.get("ip") or i.get("hostname") for i in ingress if i.get("ip") or i.get("hostname")
    ]
    addresses += external
    return ",".join(addresses) if addresses else "<pending>"


def _service_ports(service: JsonObject) -> str:
    ports = _get(service, "spec", "ports") or []
    if not ports:
        return "<none>"
    rendered = []
    for port in ports:
        protocol = port.get("protocol", "TCP")
        if port.get("nodePort"):
            rendered.append(f"{port['port']}:{port['nodePort']}/{protocol}")
        else:
            rendered.append(f"{port['port']}/{protocol}")
    return ",".join(rendered)


SERVICE = [
    NAME,
    Column("Type", lambda o, _n: _get(o, "spec", "type")),
    Column("Cluster-IP", lambda o, _n: _or_none(_get(o, "spec", "clusterIP"))),
    Column("External-IP", lambda o, _n: _external_ip(o)),
    Column("Port(s)", lambda o, _n: _service_ports(o)),
    AGE,
    Column("Selector", lambda o, _n: _selector(_get(o, "spec", "selector")), priority=1),
]

DEPLOYMENT = [
    NAME,
    Column(
        "Ready",
        lambda o, _n: (
            f"{_get(o, 'status', 'readyReplicas') or 0}/{_get(o, 'spec', 'replicas') or 0}"
        ),
    ),
    Column("Up-to-date", lambda o, _n: _get(o, "status", "updatedReplicas") or 0, "integer"),
    Column("Available", lambda o, _n: _get(o, "status", "availableReplicas") or 0, "integer"),
    AGE,
    Column("Containers", lambda o, _n: _containers_images(o)[0], priority=1),
    Column("Images", lambda o, _n: _containers_images(o)[1], priority=1),
    Column("Selector", lambda o, _n: selector_text(_get(o, "spec", "selector")), priority=1),
]

REPLICASET = [
    NAME,
    Column("Desired", lambda o, _n: _get(o, "spec", "replicas") or 0, "integer"),
    Column("Current", lambda o, _n: _get(o, "status", "replicas") or 0, "integer"),
    Column("Ready", lambda o, _n: _get(o, "status", "readyReplicas") or 0, "integer"),
    AGE,
    Column("Containers", lambda o, _n: _containers_images(o)[0], priority=1),
    Column("Images", lambda o, _n: _containers_images(o)[1], priority=1),
    Column("Selector", lambda o, _n: selector_text(_get(o, "spec", "selector")), priority=1),
]


def _node_status(node: JsonObject) -> str:
    conditions = {c.get("type"): c.get("status") for c in _get(node, "status", "conditions") or []}
    ready = conditions.get("Ready")
    text = "Ready" if ready == "True" else "NotReady" if ready == "False" else "Unknown"
    if _get(node, "spec", "unschedulable"):
        text += ",SchedulingDisabled"
    return text


def _node_roles(node: JsonObject) -> str:
    labels = _get(node, "metadata", "labels") or {}
    roles = sorted(
        k.split("/", 1)[1]
        for k in labels
        if k.startswith("node-role.kubernetes.io/") and "/" in k and k.split("/", 1)[1]
    )
    return ",".join(roles) if roles else "<none>"


def _node_address(node: JsonObject, kind: str) -> str:
    for address in _get(node, "status", "addresses") or []:
        if address.get("type") == kind:
            return str(address.get("address"))
    return "<none>"


NODE = [
    NAME,
    Column("Status", lambda o, _n: _node_status(o)),
    Column("Roles", lambda o, _n: _node_roles(o)),
    AGE,
    Column("Version", lambda o, _n: _get(o, "status", "nodeInfo", "kubeletVersion") or ""),
    Column("Internal-IP", lambda o, _n: _node_address(o, "InternalIP"), priority=1),
    Column("External-IP", lambda o, _n: _node_address(o, "ExternalIP"), priority=1),
    Column(
        "OS-Image",
        lambda o, _n: _get(o, "status", "nodeInfo", "osImage") or "<unknown>",
        priority=1,
    ),
    Column(
        "Kernel-Version",
        lambda o, _n: _get(o, "status", "nodeInfo", "kernelVersion") or "<unknown>",
        priority=1,
    ),
    Column(
        "Container-Runtime",
        lambda o, _n: _get(o, "status", "nodeInfo", "containerRuntimeVersion") or "<unknown>",
        priority=1,
    ),
]


def _more(items: list[str], limit: int = 3, empty: str = "<unset>") -> str:
    if not items:
        return empty
    shown = ",".join(items[:limit])
    if len(items) > limit:
        shown += f" + {len(items) - limit} more..."
    return shown


def _slice_ports(slice_: JsonObject) -> str:
    ports = slice_.get("ports")
    if ports is None:
        return "<unset>"
    return _more(
        [str(p.get("port")) if p.get("port") is not None else "<unset>" for p in ports],
        empty="<unset>",
    )


def _slice_endpoints(slice_: JsonObject) -> str:
    addresses = [a for e in slice_.get("endpoints") or [] for a in e.get("addresses") or []]
    return _more(addresses)


ENDPOINTSLICE = [
    NAME,
    Column("AddressType", lambda o, _n: o.get("addressType", "")),
    Column("Ports", lambda o, _n: _slice_ports(o)),
    Column("Endpoints", lambda o, _n: _slice_endpoints(o)),
    AGE,
]


def _endpoints(endpoints: JsonObject) -> str:
    rendered = []
    for subset in endpoints.get("subsets") or []:
        for address in subset.get("addresses") or []:
            for port in subset.get("ports") or [{}]:
                suffix = f":{port['port']}" if port.get("port") else ""
                rendered.append(f"{address.get('ip')}{suffix}")
    return _more(rendered, empty="<none>")


ENDPOINTS = [NAME, Column("Endpoints", lambda o, _n: _endpoints(o)), AGE]


def _event_last_seen(event: JsonObject, now: float) -> str:
    last = (
        event.get("lastTimestamp")
        or event.get("eventTime")
        or _get(event, "series", "lastObservedTime")
        or _get(event, "metadata", "creationTimestamp")
    )
    first = event.get("firstTimestamp") or event.get("eventTime") or last
    count = event.get("count") or _get(event, "series", "count") or 1
    since = human_duration(now - meta.parse_timestamp(last)) if last else "<unknown>"
    if count > 1 and first:
        return f"{since} (x{count} over {human_duration(now - meta.parse_timestamp(first))})"
    return since


def _event_object(event: JsonObject) -> str:
    involved = event.get("involvedObject") or event.get("regarding") or {}
    return f"{str(involved.get('kind', '')).lower()}/{involved.get('name', '')}"


EVENT = [
    Column("Last Seen", _event_last_seen),
    Column("Type", lambda o, _n: o.get("type", "")),
    Column("Reason", lambda o, _n: o.get("reason", "")),
    Column("Object", lambda o, _n: _event_object(o)),
    Column(
        "Subobject", lambda o, _n: (o.get("involvedObject") or {}).get("fieldPath", ""), priority=1
    ),
    Column(
        "Source",
        lambda o, _n: _get(o, "source", "component") or o.get("reportingComponent", ""),
        priority=1,
    ),
    Column("Message", lambda o, _n: o.get("message") or o.get("note") or ""),
    Column(
        "First Seen",
        lambda o, now: (
            human_duration(now - meta.parse_timestamp(o["firstTimestamp"]))
            if o.get("firstTimestamp")
            else "<unknown>"
        ),
        priority=1,
    ),
    Column("Count", lambda o, _n: o.get("count") or 1, "integer", priority=1),
    Column("Name", lambda o, _n: o["metadata"]["name"], priority=1),
]

NAMESPACE = [NAME, Column("Status", lambda o, _n: _get(o, "status", "phase") or ""), AGE]
CONFIGMAP = [
    NAME,
    Column(
        "Data", lambda o, _n: len(o.get("data") or {}) + len(o.get("binaryData") or {}), "integer"
    ),
    AGE,
]
SECRET = [
    NAME,
    Column("Type", lambda o, _n: o.get("type", "")),
    Column("Data", lambda o, _n: len(o.get("data") or {}), "integer"),
    AGE,
]
SERVICEACCOUNT = [
    NAME,
    Column("Secrets", lambda o, _n: len(o.get("secrets") or []), "integer"),
    AGE,
]
LEASE = [NAME, Column("Holder", lambda o, _n: _get(o, "spec", "holderIdentity") or ""), AGE]
CRD = [
    NAME,
    Column("Created At", lambda o, _n: _get(o, "metadata", "creationTimestamp"), format="date"),
]
DEFAULT = [
    NAME,
    Column("Created At", lambda o, _n: _get(o, "metadata", "creationTimestamp"), format="date"),
]

BY_STORE_KEY: dict[str, list[Column]] = {
    "/pods": POD,
    "/services": SERVICE,
    "/nodes": NODE,
    "/namespaces": NAMESPACE,
    "/configmaps": CONFIGMAP,
    "/secrets": SECRET,
    "/serviceaccounts": SERVICEACCOUNT,
    "/endpoints": ENDPOINTS,
    "/events": EVENT,
    "events.k8s.io/events": EVENT,
    "apps/deployments": DEPLOYMENT,
    "apps/replicasets": REPLICASET,
    "discovery.k8s.io/endpointslices": ENDPOINTSLICE,
    "coordination.k8s.io/leases": LEASE,
    "apiextensions.k8s.io/customresourcedefinitions": CRD,
}


def _printer_column(spec: JsonObject) -> Column:
    path = str(spec.get("jsonPath", ""))
    kind = str(spec.get("type", "string"))

    def cell(obj: JsonObject, now: float) -> Any:
        values = jsonpath.evaluate(obj, path)
        if not values:
            return None
        value = values[0]
        if kind == "date" and isinstance(value, str):
            return human_duration(now - meta.parse_timestamp(value))
        if isinstance(value, dict | list):
            return json.dumps(value, separators=(",", ":"))
        return value

    return Column(
        str(spec.get("name", "")),
        cell,
        type=kind,
        format=spec.get("format", ""),
        priority=int(spec.get("priority", 0)),
        description=spec.get("description", ""),
    )


def columns_for(rt: ResourceType) -> list[Column]:
    if rt.is_custom:
        if not rt.printer_columns:
            return [NAME, AGE]
        return [NAME, *(_printer_column(spec) for spec in rt.printer_columns)]
    return BY_STORE_KEY.get(rt.store_key, DEFAULT)
