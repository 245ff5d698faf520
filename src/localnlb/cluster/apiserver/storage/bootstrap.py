"""What a fresh cluster has before anyone applies anything: the four system namespaces, the
``kubernetes`` Service in ``default`` (first address of the Service CIDR) and the ``kube-dns``
Service in ``kube-system`` (the tenth; its EndpointSlice is the cluster DNS server's to write),
created once; and on every start, the namespace deletions a stop interrupted are taken up again.
"""

from __future__ import annotations

import functools
import logging

from localnlb.cluster.apiserver.storage.registry import Registry
from localnlb.cluster.apiserver.storage.service_allocation import (
    kubernetes_service_ip,
    used_addresses,
)
from localnlb.common.addressing import kube_dns_service_ip

_log = logging.getLogger(__name__)

SYSTEM_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")


def bootstrap(registry: Registry) -> None:
    namespaces = registry.resource("v1", "Namespace")
    for name in SYSTEM_NAMESPACES:
        if registry.store.find("/namespaces", "", name) is None:
            registry.create(
                namespaces,
                "",
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}},
                manager="kube-apiserver",
            )
    if registry.store.find("/services", "default", "kubernetes") is None:
        registry.create(
            registry.resource("v1", "Service"),
            "default",
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {
                    "name": "kubernetes",
                    "labels": {"component": "apiserver", "provider": "kubernetes"},
                },
                "spec": {
                    "type": "ClusterIP",
                    "clusterIP": kubernetes_service_ip(registry.service_cidr),
                    "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 443}],
                },
            },
            manager="kube-apiserver",
        )
    _create_kube_dns(registry)


def _create_kube_dns(registry: Registry) -> None:
    """kube-dns as an EKS cluster has it (its ports ``dns`` 53/UDP and ``dns-tcp`` 53/TCP),
    without a selector: the endpoint is the embedded DNS server, not a pod."""
    if registry.store.find("/services", "kube-system", "kube-dns") is not None:
        return
    address = kube_dns_service_ip(registry.service_cidr)
    if address in used_addresses(registry.store.list("/services")[0])[0]:
        _log.warning("kube-dns not created: its ClusterIP %s is another Service's", address)
        return
    registry.create(
        registry.resource("v1", "Service"),
        "kube-system",
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": "kube-dns",
                "labels": {
                    "k8s-app": "kube-dns",
                    "kubernetes.io/cluster-service": "true",
                    "kubernetes.io/name": "CoreDNS",
                },
            },
            "spec": {
                "type": "ClusterIP",
                "clusterIP": address,
                "ports": [
                    {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                    {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                ],
            },
        },
        manager="kube-apiserver",
    )


def resume_namespace_deletions(registry: Registry) -> None:
    for namespace in registry.store.list("/namespaces")[0]:
        if namespace["metadata"].get("deletionTimestamp"):
            name = namespace["metadata"]["name"]
            registry.defer(functools.partial(registry.empty_namespace, name))
