"""Node objects labelled, addressed and sized as EKS managed nodes (and Fargate nodes) are.

A managed node's name is its private DNS name (``ip-127-42-0-10.us-west-2.compute.internal``),
its ``spec.providerID`` is ``aws:///<az>/<instance id>`` — the instance the EC2 API lists — and
its labels are the ones EKS sets (topology, instance type, nodegroup, capacity type). A Fargate
node (``fargate-ip-…``) carries ``eks.amazonaws.com/compute-type: fargate`` and the taint that
keeps other pods off it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from localnlb.cluster.controllers.objects import KubeObject

KUBELET_VERSION = "v1.31.4-eks-0f56d01"
OS_IMAGE = "Amazon Linux 2023.6.20241121"
KERNEL_VERSION = "6.1.115-126.197.amzn2023.x86_64"
CONTAINER_RUNTIME = "containerd://1.7.23"
FARGATE_LABEL = "eks.amazonaws.com/compute-type"

# m5.large as EKS reports it: 2 vCPU, ~7.5 GiB, 29 pods (the VPC CNI's ENI limit).
CAPACITY = {
    "cpu": "2",
    "ephemeral-storage": "83873772Ki",
    "hugepages-1Gi": "0",
    "hugepages-2Mi": "0",
    "memory": "7910348Ki",
    "pods": "29",
}
ALLOCATABLE = {
    "cpu": "1930m",
    "ephemeral-storage": "76224326324",
    "hugepages-1Gi": "0",
    "hugepages-2Mi": "0",
    "memory": "7220172Ki",
    "pods": "29",
}


@dataclass(frozen=True, slots=True)
class NodeIdentity:
    instance_id: str
    private_ip: str
    zone: str
    zone_id: str
    region: str
    instance_type: str = "m5.large"
    nodegroup: str = "default"
    fargate: bool = False

    @property
    def name(self) -> str:
        dashed = self.private_ip.replace(".", "-")
        prefix = "fargate-ip" if self.fargate else "ip"
        return f"{prefix}-{dashed}.{self.region}.compute.internal"


def node_labels(identity: NodeIdentity) -> dict[str, str]:
    labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "failure-domain.beta.kubernetes.io/region": identity.region,
        "failure-domain.beta.kubernetes.io/zone": identity.zone,
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": identity.name,
        "kubernetes.io/os": "linux",
        "topology.k8s.aws/zone-id": identity.zone_id,
        "topology.kubernetes.io/region": identity.region,
        "topology.kubernetes.io/zone": identity.zone,
    }
    if identity.fargate:
        labels[FARGATE_LABEL] = "fargate"
        return labels
    labels.update(
        {
            "beta.kubernetes.io/instance-type": identity.instance_type,
            "eks.amazonaws.com/capacityType": "ON_DEMAND",
            "eks.amazonaws.com/nodegroup": identity.nodegroup,
            "node.kubernetes.io/instance-type": identity.instance_type,
        }
    )
    return labels


def ready_condition(*, ready: bool, now: str) -> dict[str, Any]:
    if ready:
        reason, message, state = "KubeletReady", "kubelet is posting ready status", "True"
    else:
        reason, message, state = "KubeletNotReady", "container runtime is down", "False"
    return {
        "type": "Ready",
        "status": state,
        "lastHeartbeatTime": now,
        "lastTransitionTime": now,
        "reason": reason,
        "message": message,
    }


def _pressure(kind: str, reason: str, message: str, now: str) -> dict[str, Any]:
    return {
        "type": kind,
        "status": "False",
        "lastHeartbeatTime": now,
        "lastTransitionTime": now,
        "reason": reason,
        "message": message,
    }


def build_node(identity: NodeIdentity, *, now: str) -> KubeObject:
    """The Node a kubelet registers for ``identity`` (``now`` is an RFC 3339 timestamp)."""
    provider = f"aws:///{identity.zone}/{identity.instance_id}"
    if identity.fargate:  # EKS names the Fargate node after the instance: …/<id>/<node name>
        provider = f"{provider}/{identity.name}"
    spec: dict[str, Any] = {"providerID": provider}
    if identity.fargate:
        spec["taints"] = [{"key": FARGATE_LABEL, "value": "fargate", "effect": "NoSchedule"}]
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": identity.name,
            "labels": node_labels(identity),
            "annotations": {
                "alpha.kubernetes.io/provided-node-ip": identity.private_ip,
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        },
        "spec": spec,
        "status": {
            "addresses": [
                {"type": "InternalIP", "address": identity.private_ip},
                {"type": "InternalDNS", "address": identity.name},
                {"type": "Hostname", "address": identity.name},
            ],
            "capacity": dict(CAPACITY),
            "allocatable": dict(ALLOCATABLE),
            "conditions": [
                _pressure(
                    "MemoryPressure",
                    "KubeletHasSufficientMemory",
                    "kubelet has sufficient memory available",
                    now,
                ),
                _pressure(
                    "DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now
                ),
                _pressure(
                    "PIDPressure",
                    "KubeletHasSufficientPID",
                    "kubelet has sufficient PID available",
                    now,
                ),
                ready_condition(ready=True, now=now),
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": "",
                "containerRuntimeVersion": CONTAINER_RUNTIME,
                "kernelVersion": KERNEL_VERSION,
                "kubeProxyVersion": KUBELET_VERSION,
                "kubeletVersion": KUBELET_VERSION,
                "machineID": identity.instance_id.replace("-", "").ljust(32, "0")[:32],
                "operatingSystem": "linux",
                "osImage": OS_IMAGE,
                "systemUUID": "ec2" + identity.instance_id[2:].ljust(29, "0")[:29],
            },
        },
    }
