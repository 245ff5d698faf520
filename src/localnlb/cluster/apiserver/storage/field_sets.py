"""Field sets for managedFields and server-side apply (sigs.k8s.io/structured-merge-diff, in
the small): which leaf fields an object sets, as paths, and their FieldsV1 form.

A path is a tuple of segments: ``f:<field>`` for map fields, ``k:<json>`` for an element of a
list merged by key (``k:{"name":"ui"}``), ``v:<json>`` for a member of a set-like list
(finalizers). Lists without a merge strategy are atomic: owned as a whole.
"""

from __future__ import annotations

import json
from typing import Any

from localnlb.cluster.apiserver.decoding.merge_keys import EMPTY, Meta

Path = tuple[str, ...]
_SERVER_OWNED = (
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "selfLink",
    "name",
    "namespace",
    "generateName",
)


def _key_segment(item: dict[str, Any], key: str) -> str:
    return "k:" + json.dumps({key: item.get(key)}, separators=(",", ":"), sort_keys=True)


def leaves(value: Any, meta: Meta = EMPTY, prefix: Path = ()) -> dict[Path, Any]:
    """Every owned leaf of ``value`` and the value found there."""
    found: dict[Path, Any] = {}
    if isinstance(value, dict):
        if not value and prefix:
            found[prefix] = value
        for key, child in value.items():
            if not prefix and key in ("apiVersion", "kind"):
                continue
            if prefix == ("f:metadata",) and key in _SERVER_OWNED:
                continue
            found.update(_child(child, meta.child(key), (*prefix, f"f:{key}")))
        return found
    found[prefix] = value
    return found


def _child(value: Any, meta: Meta, path: Path) -> dict[Path, Any]:
    if isinstance(value, list) and meta.merges:
        found: dict[Path, Any] = {}
        for item in value:
            if meta.merge_key and isinstance(item, dict):
                found.update(
                    leaves(item, meta.item or EMPTY, (*path, _key_segment(item, meta.merge_key)))
                )
            else:
                found[(*path, "v:" + json.dumps(item, sort_keys=True))] = item
        if not value:
            found[path] = value
        return found
    if isinstance(value, dict):
        return leaves(value, meta, path) if value else {path: value}
    return {path: value}


def to_fields_v1(paths: set[Path]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in sorted(paths):
        node = tree
        for depth, segment in enumerate(path):
            node = node.setdefault(segment, {})
            if depth < len(path) - 1 and segment.startswith("k:"):
                node.setdefault(".", {})
    return tree


def from_fields_v1(tree: Any, prefix: Path = ()) -> set[Path]:
    if not isinstance(tree, dict) or not tree:
        return {prefix} if prefix else set()
    paths: set[Path] = set()
    for segment, child in tree.items():
        if segment == ".":
            continue
        paths |= from_fields_v1(child, (*prefix, segment))
    return paths


def remove(obj: dict[str, Any], path: Path, meta: Meta = EMPTY) -> None:
    """Delete the field at ``path`` from ``obj`` (in place); missing paths are ignored."""
    node: Any = obj
    node_meta = meta
    for depth, segment in enumerate(path):
        last = depth == len(path) - 1
        kind, _, rest = segment.partition(":")
        if kind == "f" and isinstance(node, dict):
            if last:
                node.pop(rest, None)
                return
            node_meta = node_meta.child(rest)
            node = node.get(rest)
        elif kind in ("k", "v") and isinstance(node, list):
            wanted = json.loads(rest)
            for index, item in enumerate(node):
                matches = (kind == "v" and item == wanted) or (
                    kind == "k"
                    and isinstance(item, dict)
                    and all(item.get(k) == v for k, v in wanted.items())
                )
                if matches:
                    if last:
                        del node[index]
                        return
                    node = item
                    node_meta = node_meta.item or EMPTY
                    break
            else:
                return
        else:
            return
