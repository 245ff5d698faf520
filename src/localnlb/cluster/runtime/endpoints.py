"""The endpoints control loop: EndpointSlices (and the legacy Endpoints object) per Service.

Triggered by Services, by pods (every Service of the pod's namespace whose selector matches the
pod before or after the change) and by the slices themselves (a slice deleted by hand is put
back). Desired slices come from
:func:`~localnlb.cluster.controllers.endpointslices.build_endpoint_slices`; they are matched to
the existing ones by port set, updated in place, created or deleted.
"""

from __future__ import annotations

from typing import Any

from localnlb.cluster.controllers import objects
from localnlb.cluster.controllers.endpoints import build_endpoints
from localnlb.cluster.controllers.endpointslices import (
    MANAGED_BY,
    MANAGED_BY_LABEL,
    SERVICE_NAME_LABEL,
    build_endpoint_slices,
    slice_key,
)
from localnlb.cluster.runtime.access import Access
from localnlb.cluster.runtime.kinds import Kinds
from localnlb.cluster.store.events import Change

Key = tuple[str, str]


class EndpointsLoop:
    def __init__(self, access: Access, kinds: Kinds) -> None:
        self._access = access
        self._kinds = kinds
        self._selectors: dict[Key, dict[str, str]] = {}

    def keys_for(self, change: Change) -> list[Key]:
        kinds = self._kinds
        if change.resource == kinds.service.store_key:
            key = (change.namespace, change.name)
            selector = objects.spec(change.object).get("selector")
            if selector:
                self._selectors[key] = dict(selector)
            return [key]
        if change.resource == kinds.endpoint_slice.store_key:
            owner = objects.labels_of(change.object).get(SERVICE_NAME_LABEL)
            return [(change.namespace, owner)] if owner else []
        if change.resource == kinds.pod.store_key:
            label_sets = [objects.labels_of(change.object)]
            if change.previous is not None:
                label_sets.append(objects.labels_of(change.previous))
            return [
                key
                for key, selector in self._selectors.items()
                if key[0] == change.namespace
                and any(objects.service_selector_matches(selector, ls) for ls in label_sets)
            ]
        return list(self._selectors)  # nodes: zones may have changed

    def reconcile(self, key: Key) -> None:
        namespace, name = key
        service = self._access.find(self._kinds.service, namespace, name)
        if service is None or not objects.spec(service).get("selector"):
            self._selectors.pop(key, None)
            return  # slices of a deleted Service go with it (ownerReferences)
        self._selectors[key] = dict(objects.spec(service)["selector"])
        pods = self._access.items(self._kinds.pod, namespace)
        nodes = {objects.name_of(n): n for n in self._access.items(self._kinds.node)}
        self._sync_slices(service, build_endpoint_slices(service, pods, nodes))
        self._sync_endpoints(service, build_endpoints(service, pods))

    def _sync_slices(self, service: dict[str, Any], desired: list[dict[str, Any]]) -> None:
        namespace = objects.namespace_of(service)
        selector = (
            f"{SERVICE_NAME_LABEL}={objects.name_of(service)},{MANAGED_BY_LABEL}={MANAGED_BY}"
        )
        existing = self._access.items(self._kinds.endpoint_slice, namespace, labels=selector)
        unmatched = list(existing)
        for wanted in desired:
            match = next((s for s in unmatched if slice_key(s) == slice_key(wanted)), None)
            if match is None:
                self._access.create(self._kinds.endpoint_slice, namespace, wanted)
                continue
            unmatched.remove(match)
            if (match.get("endpoints") or []) != wanted["endpoints"] or (
                match.get("ports") or []
            ) != wanted["ports"]:
                match["endpoints"] = wanted["endpoints"]
                match["ports"] = wanted["ports"]
                match["metadata"]["labels"] = wanted["metadata"]["labels"]
                self._access.update(self._kinds.endpoint_slice, match)
        for stale in unmatched:
            self._access.delete(self._kinds.endpoint_slice, namespace, objects.name_of(stale))

    def _sync_endpoints(self, service: dict[str, Any], desired: dict[str, Any] | None) -> None:
        if desired is None:
            return
        namespace, name = objects.namespace_of(service), objects.name_of(service)
        current = self._access.find(self._kinds.endpoints, namespace, name)
        if current is None:
            self._access.create(self._kinds.endpoints, namespace, desired)
        elif current.get("subsets") != desired.get("subsets"):
            current["subsets"] = desired.get("subsets")
            if current["subsets"] is None:
                del current["subsets"]
            self._access.update(self._kinds.endpoints, current)
