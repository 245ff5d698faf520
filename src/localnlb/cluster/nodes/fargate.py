"""Fargate profiles: which pods run on Fargate, and the one-pod node each of them gets.

On EKS a pod created in a profile's namespace with the profile's labels is given
``schedulerName: fargate-scheduler`` and runs alone on a Fargate "node" named after its own
address (``fargate-ip-…``), labelled ``eks.amazonaws.com/compute-type: fargate`` and tainted so
nothing else lands there. Such a pod has no NodePort path (no kube-proxy on its node), which is
why the workshop says Fargate pods need ip mode. Pure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from localnlb.cluster.controllers import objects
from localnlb.cluster.nodes.objects import NodeIdentity
from localnlb.common.addressing import AzSubnet

FARGATE_SCHEDULER = "fargate-scheduler"


@dataclass(frozen=True, slots=True)
class FargateProfile:
    name: str
    namespace: str
    labels: Mapping[str, str] = field(default_factory=dict)

    def selects(self, pod: Mapping[str, Any]) -> bool:
        if objects.namespace_of(pod) != self.namespace:
            return False
        labels = objects.labels_of(pod)
        return all(labels.get(k) == v for k, v in self.labels.items())

    @classmethod
    def parse(cls, text: str) -> FargateProfile:
        """``NAMESPACE`` or ``NAMESPACE:key=value,key=value`` (the command-line form)."""
        namespace, _, selector = text.partition(":")
        if not namespace:
            raise ValueError(f"a Fargate profile needs a namespace: {text!r}")
        labels = {}
        for pair in filter(None, selector.split(",")):
            key, equals, value = pair.partition("=")
            if not equals or not key:
                raise ValueError(f"labels are key=value pairs: {pair!r} in {text!r}")
            labels[key] = value
        return cls(name=f"fp-{namespace}", namespace=namespace, labels=labels)


def profile_for(
    pod: Mapping[str, Any], profiles: tuple[FargateProfile, ...]
) -> FargateProfile | None:
    return next((p for p in profiles if p.selects(pod)), None)


def fargate_identity(*, pod_ip: str, subnet: AzSubnet, region: str) -> NodeIdentity:
    digest = hashlib.sha256(pod_ip.encode()).hexdigest()
    return NodeIdentity(
        instance_id=f"{digest[:10]}-{digest[10:42]}",
        private_ip=pod_ip,
        zone=subnet.zone_name,
        zone_id=subnet.zone_id,
        region=region,
        fargate=True,
    )
