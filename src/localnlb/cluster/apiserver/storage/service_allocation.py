"""ClusterIP, NodePort and healthCheckNodePort allocation, done at create as kube-apiserver does.

Pure: the caller passes the Service CIDR (the state dir's ``127.V.192.0/18``, see
:mod:`localnlb.common.addressing`) and what is already taken; choices are random within the range
(as the real allocators are) through an injectable ``random.Random``.
"""

from __future__ import annotations

import ipaddress
import random
from typing import Any

from localnlb.cluster.apiserver.objects.status import Cause

JsonObject = dict[str, Any]
NODE_PORT_RANGE = range(30000, 32768)


def kubernetes_service_ip(service_cidr: ipaddress.IPv4Network) -> str:
    """The ``kubernetes`` Service's ClusterIP: the CIDR's first address, as kube-apiserver's."""
    return str(service_cidr.network_address + 1)


def used_addresses(services: list[JsonObject]) -> tuple[set[str], set[int]]:
    ips: set[str] = set()
    ports: set[int] = set()
    for service in services:
        spec = service.get("spec") or {}
        if spec.get("clusterIP") not in (None, "", "None"):
            ips.add(spec["clusterIP"])
        for port in spec.get("ports") or []:
            if port.get("nodePort"):
                ports.add(int(port["nodePort"]))
        if spec.get("healthCheckNodePort"):
            ports.add(int(spec["healthCheckNodePort"]))
    return ips, ports


def _pick_port(taken: set[int], rng: random.Random) -> int:
    free = len(NODE_PORT_RANGE) - len(taken & set(NODE_PORT_RANGE))
    if free <= 0:
        raise ValueError("range is full")
    while True:
        port = rng.choice(NODE_PORT_RANGE)
        if port not in taken:
            return port


def allocate(
    service: JsonObject,
    *,
    service_cidr: ipaddress.IPv4Network,
    taken_ips: set[str],
    taken_ports: set[int],
    rng: random.Random,
) -> list[Cause]:
    """Fill in spec.clusterIP(s), nodePorts, healthCheckNodePort in place; causes on clashes."""
    spec = service.setdefault("spec", {})
    kind = spec.get("type", "ClusterIP")
    if kind == "ExternalName":
        return []
    causes: list[Cause] = []
    requested = spec.get("clusterIP")
    if requested in (None, ""):
        hosts = service_cidr.num_addresses - 2
        while True:
            candidate = str(service_cidr.network_address + 2 + rng.randrange(hosts - 1))
            if candidate not in taken_ips:
                break
        spec["clusterIP"] = candidate
    elif requested != "None":
        try:
            address = ipaddress.IPv4Address(requested)
        except ValueError:
            return [
                Cause(
                    "spec.clusterIPs[0]",
                    f'Invalid value: "{requested}": must be a valid'
                    " IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                )
            ]
        if address not in service_cidr:
            return [
                Cause(
                    "spec.clusterIPs[0]",
                    f'Invalid value: "{requested}": failed to'
                    f" allocate IP {requested}: the provided IP ({requested}) is not in"
                    f" the valid range. The range of valid IPs is {service_cidr}",
                )
            ]
        if requested in taken_ips:
            return [
                Cause(
                    "spec.clusterIPs[0]",
                    f'Invalid value: "{requested}": failed to'
                    f" allocate IP {requested}: provided IP is already allocated",
                )
            ]
    spec["clusterIPs"] = [spec["clusterIP"]]
    taken = set(taken_ports)
    if kind in {"NodePort", "LoadBalancer"} and spec.get("allocateLoadBalancerNodePorts", True):
        for index, port in enumerate(spec.get("ports") or []):
            wanted = port.get("nodePort")
            if wanted:
                if wanted not in NODE_PORT_RANGE:
                    causes.append(
                        Cause(
                            f"spec.ports[{index}].nodePort",
                            f"Invalid value:"
                            f" {wanted}: provided port is not in the valid range."
                            " The range of valid ports is 30000-32767",
                        )
                    )
                elif wanted in taken:
                    causes.append(
                        Cause(
                            f"spec.ports[{index}].nodePort",
                            f"Invalid value: {wanted}: provided port is already allocated",
                        )
                    )
                taken.add(wanted)
                continue
            port["nodePort"] = _pick_port(taken, rng)
            taken.add(port["nodePort"])
    needs_health = kind == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local"
    if needs_health and not spec.get("healthCheckNodePort"):
        spec["healthCheckNodePort"] = _pick_port(taken, rng)
    return causes


def carry_allocations(new: JsonObject, old: JsonObject) -> None:
    """An update that omits allocated values keeps them (as kubectl apply's patches do)."""
    new_spec, old_spec = new.setdefault("spec", {}), old.get("spec") or {}
    for key in ("clusterIP", "clusterIPs"):
        if not new_spec.get(key) and old_spec.get(key):
            new_spec[key] = old_spec[key]
    old_ports = {(p.get("port"), p.get("protocol", "TCP")): p for p in old_spec.get("ports") or []}
    if new_spec.get("type") in {"NodePort", "LoadBalancer"}:
        for port in new_spec.get("ports") or []:
            before = old_ports.get((port.get("port"), port.get("protocol", "TCP")))
            if before and before.get("nodePort") and not port.get("nodePort"):
                port["nodePort"] = before["nodePort"]
        if (
            new_spec.get("externalTrafficPolicy") == "Local"
            and old_spec.get("healthCheckNodePort")
            and not new_spec.get("healthCheckNodePort")
        ):
            new_spec["healthCheckNodePort"] = old_spec["healthCheckNodePort"]
    else:
        for port in new_spec.get("ports") or []:
            port.pop("nodePort", None)
    if new_spec.get("externalTrafficPolicy") != "Local" or new_spec.get("type") != "LoadBalancer":
        new_spec.pop("healthCheckNodePort", None)
