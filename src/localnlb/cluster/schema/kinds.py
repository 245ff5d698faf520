"""The resource types the API server serves, as discovery, routing and storage see them.

A :class:`ResourceType` is the one description of a resource that discovery documents, URL
routing, store keys, OpenAPI and Table output all read. Built-in types are listed here;
custom resources get theirs from their CustomResourceDefinition (:mod:`.crd_types`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SHARED_STORAGE = {"events.k8s.io/events": "/events"}
ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
NO_COLLECTION_DELETE = ("create", "delete", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True, slots=True)
class ResourceType:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    singular: str = ""
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ALL_VERBS
    subresources: tuple[str, ...] = ()
    # CRD-only: printer columns and the schema of the served version.
    printer_columns: tuple[dict[str, Any], ...] = ()
    schema: dict[str, Any] | None = field(default=None, compare=False, hash=False)
    preserve_unknown_fields: bool = False

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def store_key(self) -> str:
        """Objects of all versions of one group resource share a key (and events.k8s.io
        Events are core Events seen another way)."""
        return SHARED_STORAGE.get(self.api_resource, self.api_resource)

    @property
    def api_resource(self) -> str:
        """``<group>/<plural>``: the resource as the API names it."""
        return f"{self.group}/{self.plural}"

    @property
    def singular_name(self) -> str:
        return self.singular or self.kind.lower()

    @property
    def group_resource(self) -> str:
        """``deployments.apps``, ``pods``: the name Kubernetes puts into error messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def is_custom(self) -> bool:
        return self.schema is not None


def _t(
    group: str,
    version: str,
    plural: str,
    kind: str,
    *,
    namespaced: bool = True,
    short: tuple[str, ...] = (),
    categories: tuple[str, ...] = (),
    sub: tuple[str, ...] = (),
    verbs: tuple[str, ...] = ALL_VERBS,
) -> ResourceType:
    return ResourceType(
        group=group,
        version=version,
        plural=plural,
        kind=kind,
        namespaced=namespaced,
        short_names=short,
        categories=categories,
        subresources=sub,
        verbs=verbs,
    )


BUILTIN_TYPES: tuple[ResourceType, ...] = (
    _t(
        "",
        "v1",
        "namespaces",
        "Namespace",
        namespaced=False,
        short=("ns",),
        sub=("status",),
        verbs=NO_COLLECTION_DELETE,
    ),
    _t("", "v1", "nodes", "Node", namespaced=False, short=("no",), sub=("status",)),
    _t(
        "",
        "v1",
        "pods",
        "Pod",
        short=("po",),
        categories=("all",),
        sub=("status", "log", "binding", "eviction"),
    ),
    _t("", "v1", "services", "Service", short=("svc",), categories=("all",), sub=("status",)),
    _t("", "v1", "endpoints", "Endpoints", short=("ep",)),
    _t("", "v1", "configmaps", "ConfigMap", short=("cm",)),
    _t("", "v1", "secrets", "Secret"),
    _t("", "v1", "serviceaccounts", "ServiceAccount", short=("sa",)),
    _t("", "v1", "events", "Event", short=("ev",)),
    _t(
        "", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", short=("pvc",), sub=("status",)
    ),
    _t(
        "",
        "v1",
        "persistentvolumes",
        "PersistentVolume",
        namespaced=False,
        short=("pv",),
        sub=("status",),
    ),
    _t(
        "apps",
        "v1",
        "deployments",
        "Deployment",
        short=("deploy",),
        categories=("all",),
        sub=("status", "scale"),
    ),
    _t(
        "apps",
        "v1",
        "replicasets",
        "ReplicaSet",
        short=("rs",),
        categories=("all",),
        sub=("status", "scale"),
    ),
    _t(
        "apps",
        "v1",
        "daemonsets",
        "DaemonSet",
        short=("ds",),
        categories=("all",),
        sub=("status",),
    ),
    _t(
        "apps",
        "v1",
        "statefulsets",
        "StatefulSet",
        short=("sts",),
        categories=("all",),
        sub=("status", "scale"),
    ),
    _t("batch", "v1", "jobs", "Job", categories=("all",), sub=("status",)),
    _t("batch", "v1", "cronjobs", "CronJob", short=("cj",), categories=("all",), sub=("status",)),
    _t("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice"),
    _t("events.k8s.io", "v1", "events", "Event", short=("ev",)),
    _t("coordination.k8s.io", "v1", "leases", "Lease"),
    _t("storage.k8s.io", "v1", "storageclasses", "StorageClass", namespaced=False, short=("sc",)),
    _t(
        "authentication.k8s.io",
        "v1",
        "selfsubjectreviews",
        "SelfSubjectReview",
        namespaced=False,
        verbs=("create",),
    ),
    _t(
        "authorization.k8s.io",
        "v1",
        "selfsubjectaccessreviews",
        "SelfSubjectAccessReview",
        namespaced=False,
        verbs=("create",),
    ),
    _t(
        "authorization.k8s.io",
        "v1",
        "selfsubjectrulesreviews",
        "SelfSubjectRulesReview",
        namespaced=False,
        verbs=("create",),
    ),
    _t(
        "admissionregistration.k8s.io",
        "v1",
        "mutatingwebhookconfigurations",
        "MutatingWebhookConfiguration",
        namespaced=False,
        categories=("api-extensions",),
    ),
    _t(
        "admissionregistration.k8s.io",
        "v1",
        "validatingwebhookconfigurations",
        "ValidatingWebhookConfiguration",
        namespaced=False,
        categories=("api-extensions",),
    ),
    _t(
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        "CustomResourceDefinition",
        namespaced=False,
        short=("crd", "crds"),
        categories=("api-extensions",),
        sub=("status",),
    ),
)

# The order discovery lists groups in, as a real server does (legacy core first).
GROUP_ORDER = (
    "",
    "apps",
    "events.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "batch",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "storage.k8s.io",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
)

# Asked and answered, never stored: who the caller is and what it may do.
REVIEWS = (
    "authentication.k8s.io/selfsubjectreviews",
    "authorization.k8s.io/selfsubjectaccessreviews",
    "authorization.k8s.io/selfsubjectrulesreviews",
)


def builtin_by_kind(group: str, kind: str) -> ResourceType | None:
    for resource_type in BUILTIN_TYPES:
        if resource_type.group == group and resource_type.kind == kind:
            return resource_type
    return None
