"""The served resource types: built-ins plus one per served version of each established CRD.

Lookups by URL parts (group, version, plural), by kind, and by short name serve routing,
discovery and the in-process registry alike. CRD changes call :meth:`Catalog.sync_crds`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from localnlb.cluster.schema.kinds import BUILTIN_TYPES, GROUP_ORDER, ResourceType

JsonObject = dict[str, Any]


def types_from_crd(crd: JsonObject) -> list[ResourceType]:
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    result = []
    for version in spec.get("versions") or []:
        if not version.get("served", True):
            continue
        subresources = version.get("subresources") or {}
        schema = (version.get("schema") or {}).get("openAPIV3Schema") or {}
        result.append(
            ResourceType(
                group=spec.get("group", ""),
                version=version.get("name", ""),
                plural=names.get("plural", ""),
                kind=names.get("kind", ""),
                namespaced=spec.get("scope", "Namespaced") == "Namespaced",
                singular=names.get("singular", "") or names.get("kind", "").lower(),
                short_names=tuple(names.get("shortNames") or ()),
                categories=tuple(names.get("categories") or ()),
                subresources=tuple(name for name in ("status", "scale") if name in subresources),
                printer_columns=tuple(version.get("additionalPrinterColumns") or ()),
                schema=schema,
                preserve_unknown_fields=bool(schema.get("x-kubernetes-preserve-unknown-fields")),
            )
        )
    return result


class Catalog:
    def __init__(self) -> None:
        self._custom: dict[str, list[ResourceType]] = {}

    def sync_crds(self, crds: Iterable[JsonObject]) -> None:
        self._custom = {crd["metadata"]["name"]: types_from_crd(crd) for crd in crds}

    def all(self) -> list[ResourceType]:
        custom = [t for types in self._custom.values() for t in types]
        return [*BUILTIN_TYPES, *sorted(custom, key=lambda t: (t.group, t.plural))]

    def groups(self) -> list[tuple[str, list[str]]]:
        """(group, versions) in discovery order, the preferred version first."""
        seen: dict[str, list[str]] = {}
        for resource_type in self.all():
            versions = seen.setdefault(resource_type.group, [])
            if resource_type.version not in versions:
                versions.append(resource_type.version)
        ordered = [g for g in GROUP_ORDER if g in seen]
        ordered += sorted(g for g in seen if g not in GROUP_ORDER)
        return [(group, seen[group]) for group in ordered]

    def in_group_version(self, group: str, version: str) -> list[ResourceType]:
        return [t for t in self.all() if t.group == group and t.version == version]

    def lookup(self, group: str, version: str, plural: str) -> ResourceType | None:
        for resource_type in self.all():
            if (resource_type.group, resource_type.version, resource_type.plural) == (
                group,
                version,
                plural,
            ):
                return resource_type
        return None

    def by_kind(self, group: str, version: str, kind: str) -> ResourceType | None:
        for resource_type in self.all():
            if (resource_type.group, resource_type.version, resource_type.kind) == (
                group,
                version,
                kind,
            ):
                return resource_type
        return None
