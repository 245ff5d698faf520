"""managedFields bookkeeping and server-side apply ownership.

Every write records who set what: an Update takes over the fields it changed, an Apply owns
exactly the fields in its configuration. Applying again without a field removes it from the
object unless someone else still owns it; applying a value over a field another manager set
to something else is a conflict (409) unless forced.
"""

from __future__ import annotations

from typing import Any

from localnlb.cluster.apiserver.decoding.merge_keys import Meta
from localnlb.cluster.apiserver.objects import meta, status
from localnlb.cluster.apiserver.storage.field_sets import (
    Path,
    from_fields_v1,
    leaves,
    remove,
    to_fields_v1,
)

JsonObject = dict[str, Any]


def _in_scope(path: Path, subresource: str) -> bool:
    return (path[:1] == ("f:status",)) == (subresource == "status")


def _entries(obj: JsonObject | None) -> list[JsonObject]:
    if obj is None:
        return []
    return [
        dict(e)
        for e in (obj.get("metadata") or {}).get("managedFields") or []
        if isinstance(e, dict)
    ]


def requested_change(old: JsonObject | None, new: JsonObject) -> bool:
    """The client rewrote managedFields itself (as kubectl's client-side to server-side apply
    migration does): what it sent replaces what was recorded."""
    requested = (new.get("metadata") or {}).get("managedFields")
    recorded = (old.get("metadata") or {}).get("managedFields") if old is not None else None
    return isinstance(requested, list) and requested != (recorded or [])


def _base_entries(old: JsonObject | None, new: JsonObject) -> list[JsonObject]:
    if requested_change(old, new):
        requested = new["metadata"]["managedFields"]
        return [dict(e) for e in requested if isinstance(e, dict) and e.get("manager")]
    return _entries(old)


def _same(entry: JsonObject, manager: str, operation: str, subresource: str) -> bool:
    return (entry.get("manager"), entry.get("operation"), entry.get("subresource", "")) == (
        manager,
        operation,
        subresource,
    )


def track(
    old: JsonObject | None,
    new: JsonObject,
    *,
    manager: str,
    operation: str,
    subresource: str,
    tree: Meta,
    wall: float,
    applied: set[Path] | None = None,
) -> None:
    """Set ``new``'s managedFields after a write by ``manager`` (in place)."""
    now_leaves = leaves(new, tree)
    before = leaves(old, tree) if old is not None else {}
    if applied is not None:
        taken = applied
    else:
        taken = {
            p
            for p, v in now_leaves.items()
            if _in_scope(p, subresource) and (p not in before or before[p] != v)
        }
    entries: list[JsonObject] = []
    own: JsonObject | None = None
    for entry in _base_entries(old, new):
        paths = from_fields_v1(entry.get("fieldsV1"))
        if _same(entry, manager, operation, subresource):
            own = entry
            if applied is None:
                taken = taken | paths
            continue
        if applied is None:
            paths -= taken  # an update takes the fields it changed
        else:
            paths -= {p for p in taken if p in now_leaves and before.get(p) != now_leaves[p]}
        entry["fieldsV1"] = paths
        entries.append(entry)
    mine: JsonObject = own or {"manager": manager, "operation": operation}
    mine.update(
        {
            "apiVersion": new.get("apiVersion", "v1"),
            "time": meta.timestamp(wall),
            "fieldsType": "FieldsV1",
            "fieldsV1": taken,
        }
    )
    if subresource:
        mine["subresource"] = subresource
    entries.append(mine)
    kept = []
    for entry in entries:
        paths = {p for p in entry["fieldsV1"] if p in now_leaves}
        if paths:
            entry["fieldsV1"] = to_fields_v1(paths)
            kept.append(entry)
    new.setdefault("metadata", {})["managedFields"] = kept


def check_conflicts(
    current: JsonObject,
    config: JsonObject,
    *,
    manager: str,
    tree: Meta,
    kind: str,
    name: str,
    api_version: str,
) -> None:
    """409 if ``config`` sets a field another manager owns to a different value."""
    live = leaves(current, tree)
    wanted = leaves(config, tree)
    conflicts: list[tuple[str, Path]] = []
    for entry in _entries(current):
        if entry.get("manager") == manager and entry.get("operation") == "Apply":
            continue
        for path in from_fields_v1(entry.get("fieldsV1")):
            if path in wanted and path in live and live[path] != wanted[path]:
                conflicts.append((str(entry.get("manager")), path))
    if not conflicts:
        return
    causes = [
        {
            "reason": "FieldManagerConflict",
            "message": f'conflict with "{owner}" using {api_version}',
            "field": _dotted(path),
        }
        for owner, path in conflicts
    ]
    count = len(conflicts)
    if count == 1:
        owner, path = conflicts[0]
        text = f'conflict with "{owner}" using {api_version}: {_dotted(path)}'
    else:
        lines = []
        for owner in sorted({owner for owner, _ in conflicts}):
            lines.append(f'conflicts with "{owner}" using {api_version}:')
            lines += [f"- {_dotted(path)}" for who, path in conflicts if who == owner]
        text = "\n".join(lines)
    raise status.ApiError(
        409,
        "Conflict",
        f"Apply failed with {count} conflict{'s' if count > 1 else ''}: {text}",
        {"name": name, "kind": kind, "causes": causes},
    )


def released(current: JsonObject, config: JsonObject, *, manager: str, tree: Meta) -> list[Path]:
    """Fields ``manager`` applied before, applies no more, and nobody else owns: to remove.
    A list element goes whole once nobody owns anything in it."""
    previous: set[Path] = set()
    others: set[Path] = set()
    for entry in _entries(current):
        paths = from_fields_v1(entry.get("fieldsV1"))
        if entry.get("manager") == manager and entry.get("operation") == "Apply":
            previous |= paths
        else:
            others |= paths
    kept = set(leaves(config, tree)) | others
    dropped: list[Path] = []
    for path in sorted(previous - kept, key=len):
        target = path
        for depth, segment in enumerate(path):
            prefix = path[: depth + 1]
            if segment[:2] in ("k:", "v:") and not any(p[: depth + 1] == prefix for p in kept):
                target = prefix
                break
        if not any(target[: len(d)] == d for d in dropped):
            dropped.append(target)
    return dropped


def remove_released(obj: JsonObject, paths: list[Path], tree: Meta) -> None:
    for path in sorted(paths, key=len, reverse=True):
        remove(obj, path, tree)


def _dotted(path: Path) -> str:
    parts = []
    for segment in path:
        kind, _, rest = segment.partition(":")
        parts.append(f".{rest}" if kind == "f" else f"[{rest}]")
    return "".join(parts)
