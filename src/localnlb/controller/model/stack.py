"""A desired stack: every resource one Service should own, and its JSON form.

Stack id is ``<namespace>/<name>``. An empty stack (no resources) is what a deleted or
no-longer-owned Service builds: deploying it removes whatever the Service owned, through the
same code path that creates and updates (build, then deploy).

``to_json`` gives ``{"id": ..., "resources": {<type>: {<id>: {"spec": ...}}}}`` as the real
controller's stack marshaller does, for logs and golden tests.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from localnlb.controller.model.resources import (
    LISTENER_TYPE,
    LOAD_BALANCER_TYPE,
    SECURITY_GROUP_TYPE,
    TARGET_GROUP_BINDING_TYPE,
    TARGET_GROUP_TYPE,
    ListenerSpec,
    LoadBalancerSpec,
    Resource,
    SecurityGroupSpec,
    TargetGroupBindingSpec,
    TargetGroupSpec,
)
from localnlb.controller.model.serialize import JsonValue, to_json


@dataclass(frozen=True, slots=True)
class DesiredStack:
    stack_id: str
    security_groups: tuple[Resource[SecurityGroupSpec], ...] = ()
    load_balancers: tuple[Resource[LoadBalancerSpec], ...] = ()
    listeners: tuple[Resource[ListenerSpec], ...] = ()
    target_groups: tuple[Resource[TargetGroupSpec], ...] = ()
    target_group_bindings: tuple[Resource[TargetGroupBindingSpec], ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (
            self.security_groups
            or self.load_balancers
            or self.listeners
            or self.target_groups
            or self.target_group_bindings
        )

    @property
    def load_balancer(self) -> Resource[LoadBalancerSpec] | None:
        """The one load balancer a Service stack has (None for an empty stack)."""
        return self.load_balancers[0] if self.load_balancers else None

    def to_json(self) -> dict[str, JsonValue]:
        resources: dict[str, dict[str, JsonValue]] = {}
        groups: tuple[tuple[str, Sequence[Resource[object]]], ...] = (
            (SECURITY_GROUP_TYPE, self.security_groups),
            (LOAD_BALANCER_TYPE, self.load_balancers),
            (LISTENER_TYPE, self.listeners),
            (TARGET_GROUP_TYPE, self.target_groups),
        )
        for resource_type, items in groups:
            if items:
                resources[resource_type] = {r.id: {"spec": to_json(r.spec)} for r in items}
        if self.target_group_bindings:
            resources[TARGET_GROUP_BINDING_TYPE] = {
                r.id: {"spec": _binding_json(r.spec)} for r in self.target_group_bindings
            }
        return {"id": self.stack_id, "resources": resources}

    def to_json_text(self) -> str:
        return json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n"


def _binding_json(spec: TargetGroupBindingSpec) -> JsonValue:
    """The TGB as the real controller models it: an object template (metadata + spec)."""
    body = to_json(spec)
    metadata = {"name": body.pop("name"), "namespace": body.pop("namespace")}
    if "networking" in body:
        body["networking"] = {"ingress": body["networking"]}
    if "nodeSelector" in body:
        body["nodeSelector"] = {"matchLabels": body["nodeSelector"]}
    return {"template": {"metadata": metadata, "spec": body}}
