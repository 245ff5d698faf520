"""OpenAPI v3 as kubectl 1.31 reads it: ``/openapi/v3`` (the index of group-versions with
hashed URLs) and ``/openapi/v3/<api|apis/group/version>`` (paths and component schemas).

kubectl uses these to learn that the server validates fields itself (the ``fieldValidation``
parameter of each kind's PATCH operation), to compute strategic merge patches (the
``x-kubernetes-patch-*`` extensions) and for ``kubectl explain``. Built-in schemas are
generated from lightkube-models; custom resources publish their CRD's openAPIV3Schema.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from localnlb.cluster.apiserver.decoding import merge_keys
from localnlb.cluster.apiserver.discovery.catalog import Catalog
from localnlb.cluster.schema import models
from localnlb.cluster.schema.kinds import ResourceType
from localnlb.cluster.schema.model_schemas import (
    PatchExtensions,
    component_schemas,
    schema_name,
)

JsonObject = dict[str, Any]
_OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
_BUILTIN_PATCH_TYPES = (
    "application/apply-patch+yaml",
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
)


def gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _collect_patches(cls: type, meta: merge_keys.Meta, out: PatchExtensions) -> None:
    fields = models.fields_of(cls)
    for name, child in meta.fields.items():
        if name not in fields:
            continue
        hint = models.unwrap(fields[name])
        if child.strategy:
            out[(cls, name)] = (child.strategy, child.merge_key)
            args = getattr(hint, "__args__", ())
            item_cls = models.unwrap(args[0]) if args else None
            if child.item is not None and item_cls is not None and models.is_model(item_cls):
                _collect_patches(item_cls, child.item, out)
        elif models.is_model(hint):
            _collect_patches(hint, child, out)


def _gvk(rt: ResourceType, kind: str | None = None) -> list[JsonObject]:
    return [{"group": rt.group, "version": rt.version, "kind": kind or rt.kind}]


def _operation(
    rt: ResourceType, action: str, *, params: list[str], body: tuple[str, ...] = (), ref: str = ""
) -> JsonObject:
    operation: JsonObject = {
        "operationId": f"{action}{rt.kind}",
        "parameters": [
            {"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": True}}
            for name in params
        ],
        "responses": {
            "200": {
                "description": "OK",
                "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}
                },
            }
        },
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": _gvk(rt)[0],
    }
    if body:
        schema = (
            {"$ref": f"#/components/schemas/{ref}"} if action != "patch" else {"type": "object"}
        )
        operation["requestBody"] = {
            "content": {media: {"schema": schema} for media in body},
            "required": True,
        }
    return operation


def _paths(rt: ResourceType, ref: str) -> JsonObject:
    base = f"/{gv_path(rt.group, rt.version)}"
    collection = (
        f"{base}/namespaces/{{namespace}}/{rt.plural}" if rt.namespaced else f"{base}/{rt.plural}"
    )
    write = ["dryRun", "fieldManager", "fieldValidation", "pretty"]
    patch_types = (
        _BUILTIN_PATCH_TYPES
        if not rt.is_custom
        else tuple(t for t in _BUILTIN_PATCH_TYPES if "strategic" not in t)
    )
    paths = {
        collection: {
            "get": _operation(
                rt,
                "list",
                params=[
                    "labelSelector",
                    "fieldSelector",
                    "limit",
                    "continue",
                    "watch",
                    "resourceVersion",
                ],
                ref=ref,
            ),
            "post": _operation(rt, "post", params=write, body=("*/*",), ref=ref),
        },
        f"{collection}/{{name}}": {
            "get": _operation(rt, "get", params=["pretty"], ref=ref),
            "put": _operation(rt, "put", params=write, body=("*/*",), ref=ref),
            "patch": _operation(rt, "patch", params=[*write, "force"], body=patch_types, ref=ref),
            "delete": _operation(
                rt, "delete", params=["dryRun", "gracePeriodSeconds", "propagationPolicy"], ref=ref
            ),
        },
    }
    for sub in rt.subresources:
        if sub in ("status",):
            paths[f"{collection}/{{name}}/status"] = {
                "get": _operation(rt, "get", params=["pretty"], ref=ref),
                "patch": _operation(
                    rt, "patch", params=[*write, "force"], body=patch_types, ref=ref
                ),
            }
    return paths


def _crd_schema(rt: ResourceType) -> JsonObject:
    schema: JsonObject = json.loads(json.dumps(rt.schema or {"type": "object"}))
    properties = schema.setdefault("properties", {})
    properties.setdefault("apiVersion", {"type": "string"})
    properties.setdefault("kind", {"type": "string"})
    properties["metadata"] = {"allOf": [{"$ref": f"#/components/schemas/{_OBJECT_META}"}]}
    schema["x-kubernetes-group-version-kind"] = _gvk(rt)
    return schema


def _crd_name(rt: ResourceType) -> str:
    return ".".join([*reversed(rt.group.split(".")), rt.version, rt.kind])


def group_version_document(catalog: Catalog, group: str, version: str) -> JsonObject | None:
    types = catalog.in_group_version(group, version)
    if not types:
        return None
    roots: list[type] = []
    gvks: dict[type, list[JsonObject]] = {}
    patches: PatchExtensions = {}
    paths: JsonObject = {}
    extra: dict[str, JsonObject] = {}
    from lightkube.models import meta_v1

    roots.append(meta_v1.ObjectMeta)
    for rt in types:
        cls = models.model_class(rt.group, rt.version, rt.kind)
        if rt.is_custom or cls is None:
            name = _crd_name(rt)
            extra[name] = _crd_schema(rt)
            paths.update(_paths(rt, name))
            continue
        roots.append(cls)
        gvks[cls] = _gvk(rt)
        list_cls = models.model_class(rt.group, rt.version, f"{rt.kind}List")
        if list_cls is not None:
            roots.append(list_cls)
            gvks[list_cls] = _gvk(rt, f"{rt.kind}List")
        _collect_patches(cls, merge_keys.for_store_key(rt.store_key), patches)
        paths.update(_paths(rt, schema_name(cls)))
    schemas = component_schemas(roots, gvks=gvks, patches=patches)
    schemas.update(extra)
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.31.4"},
        "paths": paths,
        "components": {"schemas": schemas},
    }


class OpenApiCache:
    """Documents by group-version path, rebuilt when the served types change."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._documents: dict[str, bytes] = {}
        self._signature: tuple[ResourceType, ...] = ()

    def _refresh(self) -> None:
        signature = tuple(self._catalog.all())
        if signature != self._signature:
            self._documents = {}
            self._signature = signature

    def document(self, path: str) -> bytes | None:
        self._refresh()
        if path not in self._documents:
            for group, versions in self._catalog.groups():
                for version in versions:
                    if gv_path(group, version) == path:
                        document = group_version_document(self._catalog, group, version)
                        self._documents[path] = json.dumps(document).encode()
        return self._documents.get(path)

    def index(self) -> JsonObject:
        self._refresh()
        paths: JsonObject = {}
        for group, versions in self._catalog.groups():
            for version in versions:
                path = gv_path(group, version)
                body = self.document(path) or b""
                digest = hashlib.sha512(body).hexdigest().upper()
                paths[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={digest}"}
        return {"paths": paths}
