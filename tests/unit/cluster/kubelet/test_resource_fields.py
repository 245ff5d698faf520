"""The downward API's resourceFieldRef values."""

from __future__ import annotations

from typing import Any

import pytest

from localnlb.cluster.kubelet.environment import (
    ContainerConfigError,
    PodContext,
    build_environment,
)
from localnlb.cluster.kubelet.resource_fields import resource_field_value

ALLOCATABLE = {"cpu": "1930m", "memory": "7291Mi"}
UI = {"resources": {"limits": {"memory": "1.5Gi"}, "requests": {"cpu": "250m", "memory": "1.5Gi"}}}


@pytest.mark.parametrize(
    ("resource", "divisor", "container", "value"),
    [
        ("limits.memory", None, UI, "1610612736"),
        ("limits.memory", "1Mi", UI, "1536"),
        ("requests.cpu", None, UI, "1"),  # 250m rounds up to one core
        ("requests.cpu", "1m", UI, "250"),
        ("limits.cpu", None, UI, "2"),  # unset: the node's allocatable 1930m, rounded up
        ("limits.cpu", "1m", UI, "1930"),
        ("requests.memory", "1Gi", UI, "2"),
        ("requests.cpu", None, {}, "0"),
        ("requests.memory", None, {"resources": {"limits": {"memory": "1Gi"}}}, "1073741824"),
    ],
)
def test_resource_field_values(
    resource: str, divisor: str | None, container: dict[str, Any], value: str
) -> None:
    assert (
        resource_field_value(resource, container, divisor=divisor, node_allocatable=ALLOCATABLE)
        == value
    )


def test_resource_field_ref_in_env_and_its_errors() -> None:
    context = PodContext(
        node_name="n", host_ip="h", pod_ip="p", availability_zone="z", node_allocatable=ALLOCATABLE
    )
    container = {
        "name": "ui",
        **UI,
        "env": [
            {
                "name": "MEM_MB",
                "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}},
            },
        ],
    }
    assert build_environment({"metadata": {}}, container, context) == {"MEM_MB": "1536"}
    bad = {
        **container,
        "env": [{"name": "X", "valueFrom": {"resourceFieldRef": {"resource": "gpu"}}}],
    }
    with pytest.raises(ContainerConfigError, match="unsupported container resource"):
        build_environment({"metadata": {}}, bad, context)
