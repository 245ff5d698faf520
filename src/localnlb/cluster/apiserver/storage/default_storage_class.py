"""The cluster's default StorageClass, ``local-path``, created at bootstrap when absent: as
rancher's local-path-provisioner installs it (``WaitForFirstConsumer``, reclaim ``Delete``,
marked default), so a claim without a class gets volumes in the state dir."""

from __future__ import annotations

from localnlb.cluster.apiserver.storage.registry import Registry

NAME = "local-path"


def ensure_default_storage_class(registry: Registry) -> None:
    if registry.store.find("storage.k8s.io/storageclasses", "", NAME) is not None:
        return
    registry.create(
        registry.resource("storage.k8s.io/v1", "StorageClass"),
        "",
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {
                "name": NAME,
                "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
            },
            "provisioner": "rancher.io/local-path",
            "reclaimPolicy": "Delete",
            "volumeBindingMode": "WaitForFirstConsumer",
        },
        manager="kube-apiserver",
    )
