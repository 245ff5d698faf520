"""The patch planner: what a PATCH writes, decided without touching the store.

JSON, merge and strategic merge patches give the object to update to. Server-side apply
(``application/apply-patch+yaml``) creates when nothing is stored, else merges the configuration,
drops the fields this manager applied before and applies no more, and refuses to overwrite other
managers' values unless forced (409 Conflict). The registry executes the plan as a create or
an update.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from localnlb.cluster.apiserver.decoding import merge_keys, patch_formats
from localnlb.cluster.apiserver.objects import status
from localnlb.cluster.apiserver.objects.meta import clone
from localnlb.cluster.apiserver.storage import managed_fields
from localnlb.cluster.apiserver.storage.field_sets import Path, leaves
from localnlb.cluster.schema.kinds import ResourceType

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class PatchPlan:
    creates: bool  # True: create ``obj``; False: update the current object to ``obj``
    obj: JsonObject
    operation: str  # the managedFields operation: "Apply" or "Update"
    applied: set[Path] | None = None  # an apply's configured fields, which its manager owns


def plan_patch(
    rt: ResourceType,
    name: str,
    body: Any,
    *,
    patch_type: str,
    current: JsonObject | None,
    subresource: str,
    manager: str,
    force: bool,
) -> PatchPlan:
    """What a patch of ``patch_type`` writes over ``current`` (None: nothing is stored)."""
    if patch_type == "apply":
        return plan_apply(
            rt, name, body, current=current, subresource=subresource, manager=manager, force=force
        )
    if current is None:
        raise status.not_found(rt.plural, rt.group, name)
    try:
        if patch_type == "json":
            patched = patch_formats.json_patch(current, body)
        elif patch_type == "merge":
            patched = patch_formats.merge_patch(current, body)
        elif patch_type == "strategic":
            if rt.is_custom:
                raise status.unsupported_media_type(
                    "application/json-patch+json, application/merge-patch+json,"
                    " application/apply-patch+yaml"
                )
            patched = patch_formats.strategic_merge(
                current, body, merge_keys.for_store_key(rt.store_key)
            )
        else:
            raise status.unsupported_media_type("application/apply-patch+yaml")
    except patch_formats.PatchError as error:
        raise status.ApiError(
            422 if patch_type == "json" else 400,
            "Invalid" if patch_type == "json" else "BadRequest",
            str(error),
        ) from None
    if not isinstance(patched, dict):
        raise status.bad_request("the patched object is not a JSON object")
    return PatchPlan(creates=False, obj=patched, operation="Update")


def configuration(body: Any) -> JsonObject:
    if not isinstance(body, dict):
        raise status.bad_request("the object provided is not a JSON object")
    config = clone(body)
    metadata = config.get("metadata")
    if isinstance(metadata, dict):
        metadata.pop("managedFields", None)
    return config


def applied_paths(config: JsonObject, tree: merge_keys.Meta, subresource: str) -> set[Path]:
    in_status = subresource == "status"
    return {p for p in leaves(config, tree) if (p[:1] == ("f:status",)) == in_status}


def plan_apply(
    rt: ResourceType,
    name: str,
    body: Any,
    *,
    current: JsonObject | None,
    subresource: str,
    manager: str,
    force: bool,
) -> PatchPlan:
    """What applying ``body`` as ``manager`` writes over ``current`` (None: nothing stored)."""
    config = configuration(body)
    tree = merge_keys.for_store_key(rt.store_key)
    paths = applied_paths(config, tree, subresource)
    if current is None:
        return PatchPlan(creates=True, obj=config, operation="Apply", applied=paths)
    if not force:
        managed_fields.check_conflicts(
            current,
            config,
            manager=manager,
            tree=tree,
            kind=rt.plural,
            name=name,
            api_version=rt.group_version,
        )
    dropped = managed_fields.released(current, config, manager=manager, tree=tree)
    try:
        merged = patch_formats.strategic_merge(current, config, tree)
    except patch_formats.PatchError as error:
        raise status.bad_request(str(error)) from None
    managed_fields.remove_released(merged, dropped, tree)
    return PatchPlan(creates=False, obj=merged, operation="Apply", applied=paths)
