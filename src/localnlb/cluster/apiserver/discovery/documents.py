"""Discovery documents: /api, /apis, /api/v1, /apis/<group>/<version>, and the aggregated
form (apidiscovery.k8s.io/v2, also v2beta1) that kubectl asks for first.
"""

from __future__ import annotations

from typing import Any

from localnlb.cluster.apiserver.discovery.catalog import Catalog
from localnlb.cluster.schema.kinds import ResourceType

JsonObject = dict[str, Any]
AGGREGATED_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
AGGREGATED_V2BETA1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"
_SUBRESOURCE_VERBS = {
    "status": ["get", "patch", "update"],
    "scale": ["get", "patch", "update"],
    "log": ["get"],
    "binding": ["create"],
    "eviction": ["create"],
}


def _subresource_kind(rt: ResourceType, sub: str) -> tuple[str, str, str]:
    if sub == "scale":
        return "autoscaling", "v1", "Scale"
    if sub == "binding":
        return "", "v1", "Binding"
    if sub == "eviction":
        return "policy", "v1", "Eviction"
    return rt.group, rt.version, rt.kind


def api_versions(server_address: str) -> JsonObject:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}
        ],
    }


def api_group_list(catalog: Catalog) -> JsonObject:
    groups = []
    for group, versions in catalog.groups():
        if not group:
            continue
        entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
        groups.append({"name": group, "versions": entries, "preferredVersion": entries[0]})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_group(catalog: Catalog, group: str) -> JsonObject | None:
    for name, versions in catalog.groups():
        if name == group and group:
            entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
            return {
                "kind": "APIGroup",
                "apiVersion": "v1",
                "name": group,
                "versions": entries,
                "preferredVersion": entries[0],
            }
    return None


def api_resource_list(catalog: Catalog, group: str, version: str) -> JsonObject | None:
    types = catalog.in_group_version(group, version)
    if not types:
        return None
    resources: list[JsonObject] = []
    for rt in types:
        entry: JsonObject = {
            "name": rt.plural,
            "singularName": rt.singular_name,
            "namespaced": rt.namespaced,
            "kind": rt.kind,
            "verbs": list(rt.verbs),
        }
        if rt.short_names:
            entry["shortNames"] = list(rt.short_names)
        if rt.categories:
            entry["categories"] = list(rt.categories)
        resources.append(entry)
        for sub in rt.subresources:
            sub_group, sub_version, sub_kind = _subresource_kind(rt, sub)
            sub_entry: JsonObject = {
                "name": f"{rt.plural}/{sub}",
                "singularName": "",
                "namespaced": rt.namespaced,
                "kind": sub_kind,
                "verbs": _SUBRESOURCE_VERBS[sub],
            }
            if sub_group != rt.group:
                sub_entry["group"], sub_entry["version"] = sub_group, sub_version
            resources.append(sub_entry)
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}" if group else version,
        "resources": resources,
    }


def _aggregated_resource(rt: ResourceType) -> JsonObject:
    entry: JsonObject = {
        "resource": rt.plural,
        "responseKind": {"group": rt.group, "version": rt.version, "kind": rt.kind},
        "scope": "Namespaced" if rt.namespaced else "Cluster",
        "singularResource": rt.singular_name,
        "verbs": list(rt.verbs),
    }
    if rt.short_names:
        entry["shortNames"] = list(rt.short_names)
    if rt.categories:
        entry["categories"] = list(rt.categories)
    if rt.subresources:
        entry["subresources"] = []
        for sub in rt.subresources:
            group, version, kind = _subresource_kind(rt, sub)
            entry["subresources"].append(
                {
                    "subresource": sub,
                    "responseKind": {"group": group, "version": version, "kind": kind},
                    "verbs": _SUBRESOURCE_VERBS[sub],
                }
            )
    return entry


def aggregated(catalog: Catalog, *, legacy: bool, api_version: str) -> JsonObject:
    """The APIGroupDiscoveryList for /api (legacy) or /apis."""
    items = []
    for group, versions in catalog.groups():
        if bool(group) == legacy:
            continue
        metadata: JsonObject = {"name": group} if group else {"creationTimestamp": None}
        items.append(
            {
                "metadata": metadata,
                "versions": [
                    {
                        "version": version,
                        "resources": [
                            _aggregated_resource(rt)
                            for rt in catalog.in_group_version(group, version)
                        ],
                        "freshness": "Current",
                    }
                    for version in versions
                ],
            }
        )
    return {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": api_version,
        "metadata": {},
        "items": items,
    }
