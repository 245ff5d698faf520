"""URL paths to request targets: which resource type, namespace, name and subresource.

``/api/v1/namespaces/ui/pods/x/log`` → (pods, "ui", "x", "log"). The namespace object itself
(``/api/v1/namespaces/ui``, ``.../ui/status``, ``.../ui/finalize``) is told apart from
namespaced collections by whether the third segment names a served resource.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from localnlb.cluster.apiserver.discovery.catalog import Catalog
from localnlb.cluster.apiserver.objects import status
from localnlb.cluster.schema.kinds import ResourceType


@dataclass(frozen=True, slots=True)
class Target:
    rt: ResourceType
    namespace: str | None  # None: all namespaces (or a cluster-scoped resource)
    name: str = ""
    subresource: str = ""


def path_segments(raw_tail: str) -> list[str]:
    """The decoded segments of the raw (still percent-encoded) path after the group version.

    An empty segment (``/configmaps/``, ``/pods//x``) or one that decodes to hold a slash
    (``/configmaps/%2F``) names nothing: it is refused, never read as the collection, so a client
    that builds an item's path from an empty name cannot delete every object of the namespace.
    """
    segments = [unquote(segment) for segment in raw_tail.split("/")]
    if any(not segment or "/" in segment for segment in segments):
        raise status.page_not_found()
    return segments


def resolve(catalog: Catalog, group: str, version: str, parts: list[str]) -> Target:
    """Resolve the path segments after ``/api/v1`` or ``/apis/<group>/<version>``."""
    namespace: str | None = None
    if (
        len(parts) >= 3
        and parts[0] == "namespaces"
        and catalog.lookup(group, version, parts[2]) is not None
    ):
        namespace, parts = parts[1], parts[2:]
    if not parts or len(parts) > 3:
        raise status.page_not_found()
    rt = catalog.lookup(group, version, parts[0])
    if rt is None:
        raise status.page_not_found()
    name = parts[1] if len(parts) > 1 else ""
    subresource = parts[2] if len(parts) > 2 else ""
    if (
        subresource
        and subresource not in rt.subresources
        and not (rt.plural == "namespaces" and subresource == "finalize")
    ):
        raise status.page_not_found()
    if rt.namespaced and namespace is None and name:
        raise status.page_not_found()
    if not rt.namespaced and namespace is not None:
        raise status.page_not_found()
    return Target(rt=rt, namespace=namespace, name=name, subresource=subresource)
