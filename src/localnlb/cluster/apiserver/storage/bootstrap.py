"""What a fresh cluster has before anyone applies anything: the four system namespaces and the
``kubernetes`` Service in ``default`` (first address of the Service CIDR), created once; and
on every start, the namespace deletions a stop interrupted are taken up again.
"""

from __future__ import annotations

import functools

from localnlb.cluster.apiserver.storage.registry import Registry
from localnlb.cluster.apiserver.storage.service_allocation import kubernetes_service_ip

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


def resume_namespace_deletions(registry: Registry) -> None:
    for namespace in registry.store.list("/namespaces")[0]:
        if namespace["metadata"].get("deletionTimestamp"):
            name = namespace["metadata"]["name"]
            registry.defer(functools.partial(registry.empty_namespace, name))
