"""Builders for Kubernetes objects as JSON dicts, for the cluster's pure-core tests."""

from __future__ import annotations

from typing import Any

ZONES = ("us-west-2a", "us-west-2b", "us-west-2c")


def make_node(
    name: str,
    zone: str,
    *,
    ready: bool = True,
    unschedulable: bool = False,
    labels: dict[str, str] | None = None,
    taints: list[dict[str, str]] | None = None,
    allocatable: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "uid": f"uid-{name}",
            "labels": {"topology.kubernetes.io/zone": zone, **(labels or {})},
        },
        "spec": {"unschedulable": unschedulable, "taints": taints or []},
        "status": {
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
            "allocatable": allocatable or {"cpu": "2", "memory": "8Gi", "pods": "110"},
        },
    }


def make_pod(
    name: str,
    *,
    ip: str | None = "127.42.1.1",
    node: str | None = "node-a",
    labels: dict[str, str] | None = None,
    ready: bool = True,
    terminating: bool = False,
    phase: str = "Running",
    owner_uid: str | None = None,
    container_ports: list[dict[str, Any]] | None = None,
    requests: dict[str, str] | None = None,
    namespace: str = "ui",
) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "name": name,
        "namespace": namespace,
        "uid": f"uid-{name}",
        "labels": labels if labels is not None else {"app": "ui"},
    }
    if terminating:
        metadata["deletionTimestamp"] = "2026-11-26T10:00:00Z"
    if owner_uid:
        metadata["ownerReferences"] = [
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "name": "rs",
                "uid": owner_uid,
                "controller": True,
            }
        ]
    container: dict[str, Any] = {
        "name": "app",
        "image": "x",
        "ports": container_ports
        if container_ports is not None
        else [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
    }
    if requests:
        container["resources"] = {"requests": requests}
    status: dict[str, Any] = {
        "phase": phase,
        "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
    }
    if ip:
        status["podIP"] = ip
    spec: dict[str, Any] = {"containers": [container]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec, "status": status}


def make_service(
    *,
    name: str = "ui",
    selector: dict[str, str] | None = None,
    target_port: int | str = "http",
    publish_not_ready: bool = False,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "ports": [{"name": "http", "port": 80, "targetPort": target_port, "protocol": "TCP"}],
        "publishNotReadyAddresses": publish_not_ready,
    }
    if selector is not None:
        spec["selector"] = selector
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "ui", "uid": "uid-svc", "labels": {"l": "v"}},
        "spec": spec,
    }
