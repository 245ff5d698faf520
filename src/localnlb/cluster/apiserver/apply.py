"""Server-side apply (``PATCH application/apply-patch+yaml``): create when missing, else
merge the configuration, drop the fields this manager applied before and applies no more,
refuse to overwrite other managers' values unless forced (409 Conflict)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from localnlb.cluster.apiserver import managed, patch, patch_meta, status
from localnlb.cluster.apiserver.fieldsets import Path, leaves
from localnlb.cluster.apiserver.meta import clone
from localnlb.cluster.schema.kinds import ResourceType

if TYPE_CHECKING:
    from localnlb.cluster.apiserver.registry import Registry

JsonObject = dict[str, Any]


def configuration(body: Any) -> JsonObject:
    if not isinstance(body, dict):
        raise status.bad_request("the object provided is not a JSON object")
    config = clone(body)
    metadata = config.get("metadata")
    if isinstance(metadata, dict):
        metadata.pop("managedFields", None)
    return config


def applied_paths(config: JsonObject, tree: patch_meta.Meta, subresource: str) -> set[Path]:
    in_status = subresource == "status"
    return {p for p in leaves(config, tree) if (p[:1] == ("f:status",)) == in_status}


def server_side_apply(
    registry: Registry,
    rt: ResourceType,
    namespace: str,
    name: str,
    body: Any,
    *,
    current: JsonObject | None,
    subresource: str,
    manager: str,
    force: bool,
    dry_run: bool,
) -> tuple[JsonObject, bool]:
    config = configuration(body)
    tree = patch_meta.for_store_key(rt.store_key)
    paths = applied_paths(config, tree, subresource)
    if current is None:
        created = registry.create(
            rt,
            namespace,
            config,
            manager=manager,
            dry_run=dry_run,
            operation="Apply",
            applied=paths,
        )
        return created, True
    if not force:
        managed.check_conflicts(
            current,
            config,
            manager=manager,
            tree=tree,
            kind=rt.plural,
            name=name,
            api_version=rt.group_version,
        )
    dropped = managed.released(current, config, manager=manager, tree=tree)
    try:
        merged = patch.strategic_merge(current, config, tree)
    except patch.PatchError as error:
        raise status.bad_request(str(error)) from None
    managed.remove_released(merged, dropped, tree)
    updated = registry.update(
        rt,
        namespace,
        name,
        merged,
        subresource=subresource,
        manager=manager,
        operation="Apply",
        dry_run=dry_run,
        applied=paths,
    )
    return updated, False
