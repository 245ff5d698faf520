"""Service environment variables (``UI_SERVICE_HOST``, ``UI_PORT_80_TCP`` ...), as the kubelet
injects them into every container (``getServiceEnvVarMap`` + ``envvars.FromServices``).

Services of the pod's own namespace count when ``enableServiceLinks`` is true (the default);
the ``kubernetes`` service of ``default`` always does. Headless services (no cluster IP) give
nothing, and so does a Service whose ClusterIP lies off loopback (one stored before ClusterIPs
moved into 127/8): a pod must never be pointed at an address that leads off the machine. The
result is what :class:`PodContext` calls ``service_env``: the lowest layer of the
environment, which ``env`` and ``envFrom`` override and ``$(VAR)`` may refer to. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from localnlb.cluster.kubelet.podspec import JsonObject
from localnlb.common.addressing import in_loopback_network

MASTER_SERVICES = frozenset({"kubernetes"})


def service_environment(pod: JsonObject, services: Iterable[JsonObject]) -> dict[str, str]:
    namespace = pod.get("metadata", {}).get("namespace") or "default"
    links = pod.get("spec", {}).get("enableServiceLinks")
    links_enabled = links is None or bool(links)
    chosen: dict[str, JsonObject] = {}
    for service in services:
        metadata = service.get("metadata", {})
        name = metadata.get("name", "")
        if not _has_cluster_ip(service):
            continue
        if metadata.get("namespace") == "default" and name in MASTER_SERVICES:
            chosen.setdefault(name, service)
        elif metadata.get("namespace") == namespace and links_enabled:
            chosen[name] = service
    env: dict[str, str] = {}
    for name in sorted(chosen):
        env.update(_variables_for(chosen[name]))
    return env


def _has_cluster_ip(service: JsonObject) -> bool:
    ip = service.get("spec", {}).get("clusterIP")
    return bool(ip) and ip != "None" and in_loopback_network(str(ip))


def _variables_for(service: JsonObject) -> dict[str, str]:
    prefix = service["metadata"]["name"].upper().replace("-", "_")
    ip = service["spec"]["clusterIP"]
    ports: list[dict[str, Any]] = list(service["spec"].get("ports") or [])
    env = {f"{prefix}_SERVICE_HOST": ip}
    if not ports:
        return env
    first = ports[0]
    env[f"{prefix}_SERVICE_PORT"] = str(first.get("port"))
    for port in ports:
        if port.get("name"):
            port_name = str(port["name"]).upper().replace("-", "_")
            env[f"{prefix}_SERVICE_PORT_{port_name}"] = str(port.get("port"))
    # the Docker-links style variables
    first_protocol = str(first.get("protocol") or "TCP").lower()
    env[f"{prefix}_PORT"] = f"{first_protocol}://{ip}:{first.get('port')}"
    for port in ports:
        protocol = str(port.get("protocol") or "TCP")
        number = port.get("port")
        base = f"{prefix}_PORT_{number}_{protocol.upper()}"
        env[base] = f"{protocol.lower()}://{ip}:{number}"
        env[f"{base}_PROTO"] = protocol.lower()
        env[f"{base}_PORT"] = str(number)
        env[f"{base}_ADDR"] = ip
    return env
