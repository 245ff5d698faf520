"""Admission webhooks as registered: which webhooks of the stored
Mutating/ValidatingWebhookConfigurations apply to one request.

A webhook applies when one of its rules matches the operation, group, version, resource (with
subresource, ``*`` wildcards) and scope, and its namespaceSelector matches the labels of the
request's namespace (cluster-scoped objects and Namespaces themselves: the object's own labels,
as Kubernetes does), and its objectSelector matches the new or the old object's labels. Pure:
the dispatcher (``webhooks/dispatch.py``) reads the configurations and the namespace.
"""

from __future__ import annotations

import base64
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from localnlb.cluster.controllers.objects import expression_matches, labels_of
from localnlb.cluster.schema.kinds import ResourceType

JsonObject = dict[str, Any]
DEFAULT_TIMEOUT_SECONDS = 10
REVIEW_VERSIONS = ("v1", "v1beta1")


class FailurePolicy(enum.Enum):
    FAIL = "Fail"
    IGNORE = "Ignore"


class Operation(enum.Enum):
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    CONNECT = "CONNECT"


@dataclass(frozen=True, slots=True)
class Rule:
    operations: tuple[str, ...]
    api_groups: tuple[str, ...]
    api_versions: tuple[str, ...]
    resources: tuple[str, ...]
    scope: str = "*"


@dataclass(frozen=True, slots=True)
class ServiceRef:
    namespace: str
    name: str
    path: str = ""
    port: int = 443


@dataclass(frozen=True, slots=True)
class Webhook:
    name: str
    configuration: str
    rules: tuple[Rule, ...]
    failure_policy: FailurePolicy = FailurePolicy.FAIL
    namespace_selector: Mapping[str, Any] | None = None
    object_selector: Mapping[str, Any] | None = None
    timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS
    url: str = ""
    service: ServiceRef | None = None
    ca_bundle: bytes = b""
    review_versions: tuple[str, ...] = ("v1",)


def _strings(values: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in values or ())


def _rule(raw: Mapping[str, Any]) -> Rule:
    return Rule(
        operations=_strings(raw.get("operations")),
        api_groups=_strings(raw.get("apiGroups")),
        api_versions=_strings(raw.get("apiVersions")),
        resources=_strings(raw.get("resources")),
        scope=str(raw.get("scope") or "*"),
    )


def _service(raw: Mapping[str, Any] | None) -> ServiceRef | None:
    if not isinstance(raw, dict) or not raw:
        return None
    return ServiceRef(
        namespace=str(raw.get("namespace", "")),
        name=str(raw.get("name", "")),
        path=str(raw.get("path", "")),
        port=raw["port"] if isinstance(raw.get("port"), int) else 443,
    )


def _ca_bundle(text: Any) -> bytes:
    try:
        return base64.b64decode(str(text or ""), validate=False)
    except ValueError:
        return b""


def _failure_policy(value: Any) -> FailurePolicy:
    """Stored configurations are validated; anything else read is taken as the default."""
    return FailurePolicy.IGNORE if value == FailurePolicy.IGNORE.value else FailurePolicy.FAIL


def _timeout(value: Any) -> int:
    return value if isinstance(value, int) and 1 <= value <= 30 else DEFAULT_TIMEOUT_SECONDS


def webhooks_of(configuration: Mapping[str, Any]) -> list[Webhook]:
    """The webhooks of one stored configuration, with the API's defaults filled in."""
    name = str((configuration.get("metadata") or {}).get("name", ""))
    found = []
    for raw in configuration.get("webhooks") or ():
        if not isinstance(raw, dict):
            continue
        client = raw.get("clientConfig")
        client = client if isinstance(client, dict) else {}
        found.append(
            Webhook(
                name=str(raw.get("name", "")),
                configuration=name,
                rules=tuple(_rule(r) for r in raw.get("rules") or () if isinstance(r, dict)),
                failure_policy=_failure_policy(raw.get("failurePolicy")),
                namespace_selector=raw.get("namespaceSelector"),
                object_selector=raw.get("objectSelector"),
                timeout_seconds=_timeout(raw.get("timeoutSeconds")),
                url=str(client.get("url") or ""),
                service=_service(client.get("service")),
                ca_bundle=_ca_bundle(client.get("caBundle")),
                review_versions=_strings(raw.get("admissionReviewVersions")) or ("v1",),
            )
        )
    return found


def ordered_webhooks(configurations: list[JsonObject]) -> list[Webhook]:
    """Configurations in name order, each one's webhooks in their listed order (as the real
    server calls them)."""
    ordered = sorted(configurations, key=lambda c: str((c.get("metadata") or {}).get("name")))
    return [hook for configuration in ordered for hook in webhooks_of(configuration)]


def _listed(wanted: str, allowed: tuple[str, ...]) -> bool:
    return "*" in allowed or wanted in allowed


def _resource_listed(plural: str, subresource: str, allowed: tuple[str, ...]) -> bool:
    wanted = f"{plural}/{subresource}" if subresource else plural
    for entry in allowed:
        if entry in ("*/*", wanted):
            return True
        if entry == "*" and not subresource:
            return True
        resource, _, sub = entry.partition("/")
        if sub and resource == "*" and sub == subresource:
            return True
        if subresource and resource == plural and sub == "*":
            return True
    return False


def rule_matches(
    rule: Rule, *, operation: Operation, rt: ResourceType, subresource: str = ""
) -> bool:
    if not _listed(operation.value, rule.operations):
        return False
    if not _listed(rt.group, rule.api_groups) or not _listed(rt.version, rule.api_versions):
        return False
    if not _resource_listed(rt.plural, subresource, rule.resources):
        return False
    if rule.scope == "Cluster":
        return not rt.namespaced
    if rule.scope == "Namespaced":
        return rt.namespaced
    return True


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str] | None) -> bool:
    """A LabelSelector object; an absent or empty selector matches everything (and so does
    any selector when there are no labels to judge, ``labels`` None)."""
    if not selector or labels is None:
        return True
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    return all(expression_matches(e, labels) for e in selector.get("matchExpressions") or ())


@dataclass(frozen=True, slots=True)
class AdmissionAttributes:
    """What is being done: the request's side of the matching."""

    operation: Operation
    rt: ResourceType
    namespace: str
    name: str
    obj: JsonObject | None
    old: JsonObject | None = None
    subresource: str = ""
    dry_run: bool = False
    user: str = "system:admin"


def _scope_labels(
    attributes: AdmissionAttributes, namespace_labels: Mapping[str, str]
) -> Mapping[str, str] | None:
    """The labels the namespaceSelector sees: the namespace's; a Namespace's own; None for
    other cluster-scoped objects (the selector does not apply to them)."""
    if attributes.rt.namespaced:
        return namespace_labels
    if attributes.rt.store_key == "/namespaces":
        return labels_of(attributes.obj or attributes.old or {})
    return None


def applies(
    hook: Webhook, attributes: AdmissionAttributes, namespace_labels: Mapping[str, str]
) -> bool:
    """Whether ``hook`` is called for this request. ``namespace_labels``: the labels of the
    request's namespace (ignored for cluster-scoped resources)."""
    if not any(
        rule_matches(
            rule,
            operation=attributes.operation,
            rt=attributes.rt,
            subresource=attributes.subresource,
        )
        for rule in hook.rules
    ):
        return False
    if not selector_matches(hook.namespace_selector, _scope_labels(attributes, namespace_labels)):
        return False
    candidates = [o for o in (attributes.obj, attributes.old) if o is not None]
    return any(selector_matches(hook.object_selector, labels_of(o)) for o in candidates)
