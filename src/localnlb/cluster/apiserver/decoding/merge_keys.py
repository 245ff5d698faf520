"""Strategic-merge metadata for built-in kinds: which lists merge, and on which key.

These are the ``patchStrategy``/``patchMergeKey`` struct tags of k8s.io/api that this system's
objects use (the same facts the OpenAPI ``x-kubernetes-patch-*`` extensions carry). A
:class:`Meta` node describes one position in an object; lists without an entry are replaced
whole, as Kubernetes does for lists without a strategy.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Meta:
    """Meta for a map's fields (``fields``) or for a list (``strategy``/``merge_key``/``item``)."""

    fields: dict[str, Meta] = field(default_factory=dict)
    strategy: str = ""  # "merge", "merge,retainKeys", "retainKeys" or "" (replace)
    merge_key: str = ""
    item: Meta | None = None

    def child(self, name: str) -> Meta:
        return self.fields.get(name, EMPTY)

    @property
    def merges(self) -> bool:
        return "merge" in self.strategy.split(",")


EMPTY = Meta()


def _list(key: str, item: Meta | None = None, strategy: str = "merge") -> Meta:
    return Meta(strategy=strategy, merge_key=key, item=item)


_CONDITIONS = _list("type")
_CONTAINER = Meta(
    fields={
        "ports": _list("containerPort"),
        "env": _list("name"),
        "volumeMounts": _list("mountPath"),
        "volumeDevices": _list("devicePath"),
    }
)
POD_SPEC = Meta(
    fields={
        "containers": _list("name", _CONTAINER),
        "initContainers": _list("name", _CONTAINER),
        "ephemeralContainers": _list("name", _CONTAINER),
        "volumes": _list("name", strategy="merge,retainKeys"),
        "imagePullSecrets": _list("name"),
        "hostAliases": _list("ip"),
        "schedulingGates": _list("name"),
        "topologySpreadConstraints": _list("topologyKey"),
        "resourceClaims": _list("name", strategy="merge,retainKeys"),
    }
)
OBJECT_META = Meta(fields={"finalizers": _list(""), "ownerReferences": _list("uid")})
_TEMPLATE = Meta(fields={"metadata": OBJECT_META, "spec": POD_SPEC})


def _kind(spec: Meta = EMPTY, status: Meta = EMPTY) -> Meta:
    return Meta(fields={"metadata": OBJECT_META, "spec": spec, "status": status})


_WORKLOAD_STATUS = Meta(fields={"conditions": _CONDITIONS})
BY_STORE_KEY: dict[str, Meta] = {
    "/pods": _kind(
        POD_SPEC,
        Meta(fields={"conditions": _CONDITIONS, "podIPs": _list("ip"), "hostIPs": _list("ip")}),
    ),
    "/services": _kind(
        Meta(fields={"ports": _list("port")}), Meta(fields={"conditions": _CONDITIONS})
    ),
    "/nodes": _kind(EMPTY, Meta(fields={"conditions": _CONDITIONS, "addresses": _list("type")})),
    "/namespaces": _kind(EMPTY, Meta(fields={"conditions": _CONDITIONS})),
    "apps/deployments": _kind(
        Meta(fields={"template": _TEMPLATE, "strategy": Meta(strategy="retainKeys")}),
        _WORKLOAD_STATUS,
    ),
    "apps/replicasets": _kind(Meta(fields={"template": _TEMPLATE}), _WORKLOAD_STATUS),
    "apps/statefulsets": _kind(Meta(fields={"template": _TEMPLATE}), _WORKLOAD_STATUS),
}
DEFAULT_KIND = _kind()


def for_store_key(store_key: str) -> Meta:
    return BY_STORE_KEY.get(store_key, DEFAULT_KIND)
