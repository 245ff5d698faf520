"""Table columns for services, nodes, endpoints, endpointslices and events."""

from __future__ import annotations

from typing import Any

from localnlb.cluster.apiserver.objects import meta
from localnlb.cluster.apiserver.printers.ages import human_duration
from localnlb.cluster.apiserver.printers.columns import (
    AGE,
    NAME,
    Column,
    get,
    labels_text,
    more,
    or_none,
)

JsonObject = dict[str, Any]


# -- services -----------------------------------------------------------------------------
def _external_ip(service: JsonObject) -> str:
    spec = service.get("spec") or {}
    kind = spec.get("type", "ClusterIP")
    external = list(spec.get("externalIPs") or [])
    if kind in ("ClusterIP", "NodePort"):
        return ",".join(external) if external else "<none>"
    if kind == "ExternalName":
        return str(spec.get("externalName", ""))
    ingress = get(service, "status", "loadBalancer", "ingress") or []
    addresses = [
        i.get("ip") or i.get("hostname") for i in ingress if i.get("ip") or i.get("hostname")
    ]
    addresses += external
    return ",".join(addresses) if addresses else "<pending>"


def _service_ports(service: JsonObject) -> str:
    ports = get(service, "spec", "ports") or []
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
    Column("Type", lambda o, _n: get(o, "spec", "type")),
    Column("Cluster-IP", lambda o, _n: or_none(get(o, "spec", "clusterIP"))),
    Column("External-IP", lambda o, _n: _external_ip(o)),
    Column("Port(s)", lambda o, _n: _service_ports(o)),
    AGE,
    Column("Selector", lambda o, _n: labels_text(get(o, "spec", "selector")), priority=1),
]


def _node_status(node: JsonObject) -> str:
    conditions = {c.get("type"): c.get("status") for c in get(node, "status", "conditions") or []}
    ready = conditions.get("Ready")
    text = "Ready" if ready == "True" else "NotReady" if ready == "False" else "Unknown"
    if get(node, "spec", "unschedulable"):
        text += ",SchedulingDisabled"
    return text


def _node_roles(node: JsonObject) -> str:
    labels = get(node, "metadata", "labels") or {}
    roles = sorted(
        k.split("/", 1)[1]
        for k in labels
        if k.startswith("node-role.kubernetes.io/") and "/" in k and k.split("/", 1)[1]
    )
    return ",".join(roles) if roles else "<none>"


def _node_address(node: JsonObject, kind: str) -> str:
    for address in get(node, "status", "addresses") or []:
        if address.get("type") == kind:
            return str(address.get("address"))
    return "<none>"


NODE = [
    NAME,
    Column("Status", lambda o, _n: _node_status(o)),
    Column("Roles", lambda o, _n: _node_roles(o)),
    AGE,
    Column("Version", lambda o, _n: get(o, "status", "nodeInfo", "kubeletVersion") or ""),
    Column("Internal-IP", lambda o, _n: _node_address(o, "InternalIP"), priority=1),
    Column("External-IP", lambda o, _n: _node_address(o, "ExternalIP"), priority=1),
    Column(
        "OS-Image",
        lambda o, _n: get(o, "status", "nodeInfo", "osImage") or "<unknown>",
        priority=1,
    ),
    Column(
        "Kernel-Version",
        lambda o, _n: get(o, "status", "nodeInfo", "kernelVersion") or "<unknown>",
        priority=1,
    ),
    Column(
        "Container-Runtime",
        lambda o, _n: get(o, "status", "nodeInfo", "containerRuntimeVersion") or "<unknown>",
        priority=1,
    ),
]


def _slice_ports(slice_: JsonObject) -> str:
    ports = slice_.get("ports")
    if ports is None:
        return "<unset>"
    return more(
        [str(p.get("port")) if p.get("port") is not None else "<unset>" for p in ports],
        empty="<unset>",
    )


def _slice_endpoints(slice_: JsonObject) -> str:
    addresses = [a for e in slice_.get("endpoints") or [] for a in e.get("addresses") or []]
    return more(addresses)


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
    return more(rendered, empty="<none>")


ENDPOINTS = [NAME, Column("Endpoints", lambda o, _n: _endpoints(o)), AGE]


def _event_last_seen(event: JsonObject, now: float) -> str:
    last = (
        event.get("lastTimestamp")
        or event.get("eventTime")
        or get(event, "series", "lastObservedTime")
        or get(event, "metadata", "creationTimestamp")
    )
    first = event.get("firstTimestamp") or event.get("eventTime") or last
    count = event.get("count") or get(event, "series", "count") or 1
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
        lambda o, _n: get(o, "source", "component") or o.get("reportingComponent", ""),
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
