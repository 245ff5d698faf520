"""The service mutator (``mservice.elbv2.k8s.aws``): a new LoadBalancer Service without a class
gets ``spec.loadBalancerClass: service.k8s.aws/nlb`` (the controller's class), so this
controller owns it through the class rule (reference §2.1); on update a class the old object
had is kept when the new one drops it. The decision is
:func:`~localnlb.controller.service.ownership.default_load_balancer_class`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from localnlb.controller.service.objects import service_from_object
from localnlb.controller.service.ownership import default_load_balancer_class
from localnlb.controller.service.settings import ControllerSettings

Raw = dict[str, Any]


def service_class_patch(
    obj: Mapping[str, Any], settings: ControllerSettings, *, old: Mapping[str, Any] | None = None
) -> list[Raw]:
    try:
        service = service_from_object(_named(obj))
        previous = service_from_object(_named(old)) if old is not None else None
    except (KeyError, ValueError, TypeError):
        return []  # not a Service the API will accept: its validation says why
    wanted = default_load_balancer_class(service, settings, previous=previous)
    if wanted is None:
        return []
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return [{"op": "add", "path": "/spec", "value": {"loadBalancerClass": wanted}}]
    return [{"op": "add", "path": "/spec/loadBalancerClass", "value": wanted}]


def _named(obj: Mapping[str, Any]) -> Raw:
    """A Service created with generateName has no name yet when the webhook sees it."""
    metadata = {**(obj.get("metadata") or {})}
    metadata.setdefault("name", metadata.get("generateName", ""))
    return {**obj, "metadata": metadata}
