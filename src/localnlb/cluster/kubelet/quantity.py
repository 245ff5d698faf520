"""Kubernetes resource quantities (``250m``, ``1.5Gi``, ``1e3``) and the downward API's
``resourceFieldRef`` values, as the kubelet computes them: ``ceil(quantity / divisor)``, with a
container's unset limit taken from the node's allocatable. Pure.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
    "k": Decimal("1e3"), "M": Decimal("1e6"), "G": Decimal("1e9"), "T": Decimal("1e12"),
    "P": Decimal("1e15"), "E": Decimal("1e18"),
}  # fmt: skip
_QUANTITY = re.compile(r"^([+-]?[0-9.]+)([eE][+-]?[0-9]+|[a-zA-Z]*)$")


def parse_quantity(text: str) -> Decimal:
    match = _QUANTITY.match(str(text).strip())
    if not match:
        raise ValueError(f"quantities must match the regular expression: {text!r}")
    number, suffix = match.groups()
    try:
        value = Decimal(number)
    except InvalidOperation as exc:
        raise ValueError(f"invalid quantity {text!r}") from exc
    if suffix in _BINARY:
        return value * _BINARY[suffix]
    if suffix in _DECIMAL:
        return value * _DECIMAL[suffix]
    if suffix[:1] in ("e", "E"):
        return value * (Decimal(10) ** int(suffix[1:]))
    raise ValueError(f"unknown quantity suffix in {text!r}")


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
