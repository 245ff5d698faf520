"""The Kubernetes semantics over the object store: the one door every client goes through.

HTTP handlers call it, and in-process components (controllers, kubelet) may call it directly:
create (generateName, defaulting, validation, Service allocation), get, list (selectors,
paging), update (optimistic concurrency, status subresource, generation), patch (JSON, merge,
strategic, apply), delete (finalizers, grace periods, propagation) and watch. Errors are
:class:`ApiError` with the real server's code, reason and words.
"""

from __future__ import annotations

import builtins
import ipaddress
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from localnlb.cluster.apiserver.admission import defaults, intake, validation
from localnlb.cluster.apiserver.admission.crd_validation import (
    validate_crd,
    validate_custom_object,
)
from localnlb.cluster.apiserver.admission.intake import CRD_KEY, GENERATION_KEYS
from localnlb.cluster.apiserver.decoding import merge_keys
from localnlb.cluster.apiserver.discovery.catalog import Catalog
from localnlb.cluster.apiserver.objects import meta, status
from localnlb.cluster.apiserver.objects.shapes import shape
from localnlb.cluster.apiserver.objects.status import ApiError
from localnlb.cluster.apiserver.storage import (
    deletion_planner,
    managed_fields,
    paging,
    service_allocation,
)
from localnlb.cluster.apiserver.storage.deletion_planner import NAMESPACES_KEY, DeletionStep
from localnlb.cluster.apiserver.storage.field_sets import Path as FieldPath
from localnlb.cluster.apiserver.storage.patch_planner import plan_patch
from localnlb.cluster.apiserver.storage.selectable_fields import supported_fields
from localnlb.cluster.apiserver.storage.selectors import (
    fields_match,
    labels_match,
    parse_field_selector,
    parse_label_selector,
)
from localnlb.cluster.schema.kinds import ResourceType
from localnlb.cluster.store import (
    ObjectExists,
    ObjectNotFound,
    ObjectStore,
    VersionConflict,
)
from localnlb.common.clock import Clock, SystemClock

JsonObject = dict[str, Any]
PATCH_TYPES = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
    "application/apply-patch+yaml": "apply",
    "application/apply-patch+cbor": "apply",
}


class Registry:
    def __init__(
        self,
        store: ObjectStore,
        *,
        service_cidr: ipaddress.IPv4Network,
        clock: Clock | None = None,
        pod_log_dir: Path | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.service_cidr = service_cidr  # where ClusterIPs come from: always inside 127/8
        self.clock = clock or SystemClock()
        self.pod_log_dir = pod_log_dir
        self.rng = rng or random.Random()
        self.catalog = Catalog()
        # How deferred cluster work (the namespace controller's) runs: at once by default;
        # the server runs it shortly after on its event loop.
        self.defer: Callable[[Callable[[], None]], None] = _run_now
        self._sync_crds()

    # ----------------------------------------------------------------- lookups
    def resource(self, api_version: str, kind: str) -> ResourceType:
        """The served type for an apiVersion and kind (in-process convenience)."""
        group, _, version = api_version.rpartition("/")
        found = self.catalog.by_kind(group, version, kind)
        if found is None:
            raise status.bad_request(f'no matches for kind "{kind}" in version "{api_version}"')
        return found

    def _sync_crds(self) -> None:
        crds, _ = self.store.list(CRD_KEY)
        established = [crd for crd in crds if _condition(crd, "Established")]
        self.catalog.sync_crds(established)

    def _out(self, rt: ResourceType, obj: JsonObject) -> JsonObject:
        return shape(rt, obj)

    def _not_found(self, rt: ResourceType, name: str) -> ApiError:
        return status.not_found(rt.plural, rt.group, name)

    # ----------------------------------------------------------------- reads
    def get(self, rt: ResourceType, namespace: str, name: str) -> JsonObject:
        try:
            return self._out(rt, self.store.get(rt.store_key, _ns(rt, namespace), name))
        except ObjectNotFound:
            raise self._not_found(rt, name) from None

    def list(
        self,
        rt: ResourceType,
        namespace: str | None,
        *,
        label_selector: str = "",
        field_selector: str = "",
        limit: int = 0,
        continue_token: str = "",
    ) -> JsonObject:
        labels = parse_label_selector(label_selector) if label_selector else ()
        supported = supported_fields(rt.api_resource)
        fields = parse_field_selector(field_selector, supported) if field_selector else ()
        items, revision = self.store.list(rt.store_key, namespace if rt.namespaced else None)
        selected, list_meta = paging.page(
            items,
            revision,
            matches=lambda item: (
                labels_match(labels, item["metadata"].get("labels"))
                and fields_match(fields, item, supported)
            ),
            limit=limit,
            continue_token=continue_token,
        )
        return {
            "kind": f"{rt.kind}List",
            "apiVersion": rt.group_version,
            "metadata": list_meta,
            "items": [self._out(rt, item) for item in selected],
        }

    # ----------------------------------------------------------------- create
    def create(
        self,
        rt: ResourceType,
        namespace: str,
        obj: JsonObject,
        *,
        manager: str = "unknown",
        dry_run: bool = False,
        operation: str = "Update",
        applied: set[FieldPath] | None = None,
    ) -> JsonObject:
        obj = intake.decoded(rt, obj)
        metadata = obj.setdefault("metadata", {})
        if not isinstance(metadata, dict):
            raise status.bad_request("metadata must be an object")
        namespace = self._check_namespace(rt, namespace, metadata, creating=True)
        if not metadata.get("name"):
            if metadata.get("generateName"):
                metadata["name"] = meta.generate_name(str(metadata["generateName"]))
            else:
                raise status.invalid(
                    rt.kind,
                    rt.group,
                    "",
                    [
                        status.Cause(
                            "metadata.name",
                            "Required value: name or generateName is required",
                            "FieldValueRequired",
                        )
                    ],
                )
        now = self.clock.wall()
        meta.stamp_new(obj, wall=now)
        if rt.store_key not in GENERATION_KEYS and not rt.is_custom:
            metadata.pop("generation", None)
        intake.prepare_create(rt, obj, wall=now)
        defaults.apply_defaults(rt.store_key, obj)
        causes = validation.validate(rt.store_key, obj, None)
        causes += self._custom_causes(rt, obj)
        if rt.store_key == "/services" and not causes:
            used_ips, used_ports = service_allocation.used_addresses(
                self.store.list("/services")[0]
            )
            causes += service_allocation.allocate(
                obj,
                service_cidr=self.service_cidr,
                taken_ips=used_ips,
                taken_ports=used_ports,
                rng=self.rng,
            )
        if causes:
            raise status.invalid(rt.kind, rt.group, str(metadata.get("name", "")), causes)
        managed_fields.track(
            None,
            obj,
            manager=manager,
            operation=operation,
            subresource="",
            tree=merge_keys.for_store_key(rt.store_key),
            wall=now,
            applied=applied,
        )
        if dry_run:
            if self.store.find(rt.store_key, namespace, metadata["name"]) is not None:
                raise status.already_exists(rt.plural, rt.group, metadata["name"])
            return self._out(rt, obj)
        try:
            stored = self.store.create(rt.store_key, obj)
        except ObjectExists:
            raise status.already_exists(rt.plural, rt.group, metadata["name"]) from None
        self._after_write(rt)
        return self._out(rt, stored)

    def _check_namespace(
        self, rt: ResourceType, namespace: str, metadata: JsonObject, *, creating: bool
    ) -> str:
        if not rt.namespaced:
            metadata.pop("namespace", None)
            return ""
        given = metadata.get("namespace")
        if given and given != namespace:
            raise status.bad_request(
                "the namespace of the provided object does not match the namespace sent on the"
                " request"
            )
        metadata["namespace"] = namespace
        if creating:
            found = self.store.find("/namespaces", "", namespace)
            if found is None:
                raise status.not_found("namespaces", "", namespace)
            if found["metadata"].get("deletionTimestamp"):
                name = metadata.get("name") or metadata.get("generateName", "")
                raise ApiError(
                    403,
                    "Forbidden",
                    f'{rt.group_resource} "{name}" is forbidden: unable to create new content'
                    f" in namespace {namespace} because it is being terminated",
                    {"name": name, "group": rt.group, "kind": rt.plural}
                    if rt.group
                    else {"name": name, "kind": rt.plural},
                )
        return namespace

    def _custom_causes(self, rt: ResourceType, obj: JsonObject) -> builtins.list[status.Cause]:
        if rt.store_key == CRD_KEY:
            return validate_crd(obj)
        if rt.is_custom:
            return validate_custom_object(rt, obj)
        return []

    def _after_write(self, rt: ResourceType) -> None:
        if rt.store_key == CRD_KEY:
            self._sync_crds()

    # ----------------------------------------------------------------- update
    def update(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        obj: JsonObject,
        *,
        subresource: str = "",
        manager: str = "unknown",
        operation: str = "Update",
        dry_run: bool = False,
        applied: set[FieldPath] | None = None,
    ) -> JsonObject:
        obj = intake.decoded(rt, obj)
        metadata = obj.setdefault("metadata", {})
        if metadata.get("name") and metadata["name"] != name:
            raise status.bad_request(
                f"the name of the object ({metadata['name']}) does not match the name on the"
                f" URL ({name})"
            )
        metadata["name"] = name
        namespace = self._check_namespace(rt, namespace, metadata, creating=False)
        old = self.store.find(rt.store_key, namespace, name)
        if old is None:
            raise self._not_found(rt, name)
        expected = metadata.get("resourceVersion")
        if expected not in (None, "") and str(expected) != old["metadata"]["resourceVersion"]:
            raise status.stale_update(rt.plural, rt.group, name)
        new = intake.merge_for_subresource(rt, obj, old, subresource)
        meta.carry_system_metadata(new, old)
        defaults.apply_defaults(rt.store_key, new)
        if rt.store_key == "/services":
            service_allocation.carry_allocations(new, old)
        if "generation" in old["metadata"] and meta.spec_changed(new, old):
            new["metadata"]["generation"] = int(old["metadata"]["generation"]) + 1
        causes = validation.validate(rt.store_key, new, old) + self._custom_causes(rt, new)
        if rt.store_key == "/services" and not causes:
            others = [
                s
                for s in self.store.list("/services")[0]
                if s["metadata"]["uid"] != old["metadata"]["uid"]
            ]
            used_ips, used_ports = service_allocation.used_addresses(others)
            causes += service_allocation.allocate(
                new,
                service_cidr=self.service_cidr,
                taken_ips=used_ips,
                taken_ports=used_ports,
                rng=self.rng,
            )
        if causes:
            raise status.invalid(rt.kind, rt.group, name, causes)
        unchanged = meta.without_noise(new) == meta.without_noise(
            {**old, "apiVersion": new.get("apiVersion"), "kind": new.get("kind")}
        )
        if unchanged and not managed_fields.requested_change(old, new):
            return self._out(rt, old)
        managed_fields.track(
            old,
            new,
            manager=manager,
            operation=operation,
            subresource=subresource,
            tree=merge_keys.for_store_key(rt.store_key),
            wall=self.clock.wall(),
            applied=applied,
        )
        if dry_run:
            return self._out(rt, new)
        if deletion_planner.ready_to_remove(new):
            self._remove(rt, namespace, name)
            return self._out(rt, new)
        try:
            stored = self.store.update(
                rt.store_key, new, expected_revision=int(old["metadata"]["resourceVersion"])
            )
        except VersionConflict:
            raise status.stale_update(rt.plural, rt.group, name) from None
        self._after_write(rt)
        return self._out(rt, stored)

    # ----------------------------------------------------------------- patch
    def patch(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        body: Any,
        *,
        patch_type: str,
        subresource: str = "",
        manager: str = "unknown",
        force: bool = False,
        dry_run: bool = False,
    ) -> tuple[JsonObject, bool]:
        """Apply a patch; returns the object and whether it was created (apply only)."""
        current = self.store.find(rt.store_key, _ns(rt, namespace), name)
        plan = plan_patch(
            rt,
            name,
            body,
            patch_type=patch_type,
            current=None if current is None else self._out(rt, current),
            subresource=subresource,
            manager=manager,
            force=force,
        )
        if plan.creates:
            created = self.create(
                rt,
                namespace,
                plan.obj,
                manager=manager,
                dry_run=dry_run,
                operation=plan.operation,
                applied=plan.applied,
            )
            return created, True
        updated = self.update(
            rt,
            namespace,
            name,
            plan.obj,
            subresource=subresource,
            manager=manager,
            operation=plan.operation,
            dry_run=dry_run,
            applied=plan.applied,
        )
        return updated, False

    # ----------------------------------------------------------------- delete
    def delete(
        self, rt: ResourceType, namespace: str, name: str, options: JsonObject | None = None
    ) -> tuple[JsonObject, bool]:
        """Delete; returns the last state and whether it is gone (False: still finalizing)."""
        namespace = _ns(rt, namespace)
        try:
            current = self.store.get(rt.store_key, namespace, name)
        except ObjectNotFound:
            raise self._not_found(rt, name) from None
        plan = deletion_planner.plan_delete(rt, current, options or {}, now=self.clock.wall())
        if plan.step is DeletionStep.REMOVE:
            return self._out(rt, self._remove(rt, namespace, name)), True
        written = current
        if plan.step is not DeletionStep.KEEP:
            written = self.store.update(rt.store_key, plan.obj)
        if plan.step is DeletionStep.TERMINATE:
            # The namespace controller's work: later, as on a real cluster, so that clients
            # deleting the namespace and its objects in one go (kubectl delete -k) find them.
            self.defer(lambda: self.empty_namespace(name))
        if rt.store_key == NAMESPACES_KEY:
            remaining = self.store.find(rt.store_key, "", name)
            if remaining is None:
                return self._out(rt, written), True
            written = remaining
        return self._out(rt, written), False

    def _remove(self, rt: ResourceType, namespace: str, name: str) -> JsonObject:
        """Remove from the store, then what goes with it: a CRD's objects; an emptied namespace."""
        removed = self.store.delete(rt.store_key, namespace, name)
        if rt.store_key == CRD_KEY:
            key = deletion_planner.custom_objects_key(removed)
            for item in self.store.list(key)[0]:
                self.store.delete(
                    key, item["metadata"].get("namespace", ""), item["metadata"]["name"]
                )
            self._after_write(rt)
        if namespace:
            found = self.store.find(NAMESPACES_KEY, "", namespace)
            if found is not None and deletion_planner.is_terminating(found):
                self._finish_namespace(found)
        return removed

    def empty_namespace(self, name: str) -> None:
        """Delete everything in a terminating namespace, then the namespace once it is empty."""
        for resource_type in deletion_planner.namespaced_types(self.catalog.all()):
            for item in self.store.list(resource_type.store_key, name)[0]:
                try:
                    self.delete(resource_type, name, item["metadata"]["name"])
                except ApiError as error:
                    if error.code != 404:
                        raise
        remaining = self.store.find(NAMESPACES_KEY, "", name)
        if remaining is not None and deletion_planner.is_terminating(remaining):
            self._finish_namespace(remaining)

    def _finish_namespace(self, namespace: JsonObject) -> None:
        name = namespace["metadata"]["name"]
        has_content = any(
            self.store.list(resource_type.store_key, name)[0]
            for resource_type in deletion_planner.namespaced_types(self.catalog.all())
        )
        if deletion_planner.namespace_may_go(namespace, has_content=has_content):
            self.store.delete(NAMESPACES_KEY, "", name)

    def delete_collection(
        self,
        rt: ResourceType,
        namespace: str | None,
        options: JsonObject | None = None,
        *,
        label_selector: str = "",
        field_selector: str = "",
    ) -> JsonObject:
        listed = self.list(
            rt, namespace, label_selector=label_selector, field_selector=field_selector
        )
        for item in listed["items"]:
            metadata = item["metadata"]
            try:
                self.delete(rt, metadata.get("namespace", ""), metadata["name"], options)
            except ApiError as error:
                if error.code != 404:
                    raise
        return listed


def _ns(rt: ResourceType, namespace: str) -> str:
    return namespace if rt.namespaced else ""


def _run_now(work: Callable[[], None]) -> None:
    work()


def _condition(obj: JsonObject, kind: str) -> bool:
    conditions = (obj.get("status") or {}).get("conditions") or []
    return any(c.get("type") == kind and c.get("status") == "True" for c in conditions)
