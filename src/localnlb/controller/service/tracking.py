"""The tags that record which stack and which resource an AWS resource belongs to.

Ownership lives in tags, not names (reference §2.3): every resource the controller creates
carries ``elbv2.k8s.aws/cluster``, ``service.k8s.aws/stack = <ns>/<name>`` and
``service.k8s.aws/resource = <resource id>`` (``LoadBalancer``, ``ui/ui-nlb:80``, ``80``,
``ManagedLBSecurityGroup``). Deploying lists actual resources by the stack tags and matches
them to desired ones by the resource tag. Tracking tags win over user tags of the same key.
"""

from __future__ import annotations

from collections.abc import Mapping

from localnlb.controller.service.constants import TAG_CLUSTER, TAG_RESOURCE, TAG_STACK


def stack_tags(*, cluster_name: str, stack_id: str) -> dict[str, str]:
    return {TAG_CLUSTER: cluster_name, TAG_STACK: stack_id}


def resource_tags(
    *, cluster_name: str, stack_id: str, resource_id: str, spec_tags: Mapping[str, str]
) -> dict[str, str]:
    """All tags an AWS resource should carry: its spec's tags plus the tracking tags."""
    return {
        **spec_tags,
        **stack_tags(cluster_name=cluster_name, stack_id=stack_id),
        TAG_RESOURCE: resource_id,
    }


def resource_id_of(tags: Mapping[str, str]) -> str | None:
    return tags.get(TAG_RESOURCE)
