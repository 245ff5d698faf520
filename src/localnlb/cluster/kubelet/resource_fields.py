"""The downward API's ``resourceFieldRef`` values, as the kubelet computes them:
``ceil(quantity / divisor)``, with a container's unset limit taken from the node's allocatable.
Pure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal

from localnlb.cluster.quantity import parse_quantity


def resource_field_value(
    resource: str,
    container: Mapping[str, object],
    *,
    divisor: str | None,
    node_allocatable: Mapping[str, str],
) -> str:
    """``limits.cpu``, ``requests.memory`` ...: ``ceil(value / divisor)`` as the kubelet does."""
    kind, _, name = resource.partition(".")
    if kind not in ("limits", "requests") or not name:
        raise ValueError(f"unsupported container resource : {resource!r}")
    resources = container.get("resources")
    if not isinstance(resources, Mapping):
        resources = {}
    limits = resources.get("limits") or {}
    requests = resources.get("requests") or {}
    if kind == "limits":
        quantity = limits.get(name) or node_allocatable.get(name)
    else:
        quantity = requests.get(name) or limits.get(name)
    value = parse_quantity(quantity) if quantity else Decimal(0)
    by = parse_quantity(divisor or "1")
    if by <= 0:
        raise ValueError(f"invalid divisor {divisor!r}")
    if name == "cpu":  # compared in milli-units, as the kubelet does
        return str(
            math.ceil((value * 1000).to_integral_value(rounding="ROUND_CEILING") / (by * 1000))
        )
    return str(math.ceil(value.to_integral_value(rounding="ROUND_CEILING") / by))
