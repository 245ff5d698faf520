"""The three patch formats a real server takes: JSON patch (RFC 6902, via jsonpatch), JSON merge
patch (RFC 7386) and strategic merge patch (with the ``$patch``, ``$retainKeys``,
``$setElementOrder/`` and ``$deleteFromPrimitiveList/`` directives kubectl apply sends).

Pure functions; failures raise :class:`PatchError`, which the handlers answer with 400 or 422
in the real server's words.
"""

from __future__ import annotations

from typing import Any

import jsonpatch

from localnlb.cluster.apiserver.decoding.merge_keys import Meta
from localnlb.cluster.apiserver.objects.meta import clone

_DELETE = object()


class PatchError(ValueError):
    pass


def json_patch(document: Any, operations: Any) -> Any:
    if not isinstance(operations, list):
        raise PatchError("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    try:
        return jsonpatch.JsonPatch(operations).apply(clone(document))
    except jsonpatch.JsonPatchTestFailed as error:
        raise PatchError(
            f"the server rejected our request due to an error in our request: {error}"
        ) from error
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as error:
        raise PatchError(str(error)) from error
    except (KeyError, IndexError, TypeError) as error:
        raise PatchError(f"invalid JSON patch: {error}") from error


def merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return clone(patch)
    result = clone(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def strategic_merge(original: Any, patch: Any, meta: Meta) -> Any:
    if not isinstance(patch, dict):
        raise PatchError("unable to find api field in struct Unstructured for the json field")
    merged = _merge_map(clone(original) if isinstance(original, dict) else {}, patch, meta)
    return {} if merged is _DELETE else merged


def _merge_map(original: dict[str, Any], patch: dict[str, Any], meta: Meta) -> Any:
    directive = patch.get("$patch")
    if directive == "delete":
        return _DELETE
    if directive == "replace":
        return _strip_directives(patch)
    if directive not in (None, "merge"):
        raise PatchError(f"Unknown patch type: {directive} in map: {patch}")
    orders: dict[str, list[Any]] = {}
    for key, value in patch.items():
        if key in ("$patch", "$retainKeys"):
            continue
        if key.startswith("$setElementOrder/"):
            orders[key.split("/", 1)[1]] = value if isinstance(value, list) else []
            continue
        if key.startswith("$deleteFromPrimitiveList/"):
            name = key.split("/", 1)[1]
            if isinstance(original.get(name), list) and isinstance(value, list):
                original[name] = [item for item in original[name] if item not in value]
            continue
        child_meta = meta.child(key)
        if value is None:
            original.pop(key, None)
        elif isinstance(value, dict) and (
            isinstance(original.get(key), dict) or key not in original
        ):
            merged = _merge_map(original.get(key) or {}, value, child_meta)
            if merged is _DELETE:
                original.pop(key, None)
            else:
                original[key] = merged
        elif isinstance(value, list) and child_meta.merges:
            original[key] = _merge_list(original.get(key), value, child_meta)
        else:
            original[key] = _strip_directives(value)
    for name, order in orders.items():
        if isinstance(original.get(name), list):
            original[name] = _apply_order(original[name], order, meta.child(name).merge_key)
    retain = patch.get("$retainKeys")
    if isinstance(retain, list):
        for key in list(original):
            if key not in retain:
                del original[key]
    return original


def _merge_list(original: Any, patch: list[Any], meta: Meta) -> list[Any]:
    current = list(original) if isinstance(original, list) else []
    if any(isinstance(item, dict) and item.get("$patch") == "replace" for item in patch):
        return [
            _strip_directives(item)
            for item in patch
            if not (isinstance(item, dict) and item.get("$patch"))
        ]
    if not meta.merge_key:
        for item in patch:
            if item not in current:
                current.append(item)
        return current
    key = meta.merge_key
    item_meta = meta.item or Meta()
    for item in patch:
        if not isinstance(item, dict):
            raise PatchError(f"merging an object in json but data type is not map: {item}")
        if key not in item:
            raise PatchError(f"map: {item} does not contain declared merge key: {key}")
        position = next(
            (
                i
                for i, existing in enumerate(current)
                if isinstance(existing, dict) and existing.get(key) == item[key]
            ),
            None,
        )
        if item.get("$patch") == "delete":
            if position is not None:
                del current[position]
            continue
        if position is None:
            current.append(_strip_directives(item))
        else:
            merged = _merge_map(current[position], item, item_meta)
            current[position] = merged
    return current


def _apply_order(items: list[Any], order: list[Any], key: str) -> list[Any]:
    def identity(item: Any) -> Any:
        return item.get(key) if key and isinstance(item, dict) else item

    wanted = [identity(entry) for entry in order]
    ranked = {value: index for index, value in enumerate(wanted) if not isinstance(value, dict)}
    in_order = sorted(
        (item for item in items if identity(item) in ranked),
        key=lambda item: ranked[identity(item)],
    )
    others = [item for item in items if identity(item) not in ranked]
    return in_order + others


def _strip_directives(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: _strip_directives(child) for key, child in value.items() if not key.startswith("$")
        }
    if isinstance(value, list):
        return [_strip_directives(item) for item in value]
    return value
