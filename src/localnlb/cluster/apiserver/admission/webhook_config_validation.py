"""Validation of Mutating/ValidatingWebhookConfigurations, in kube-apiserver's words
(pkg/apis/admissionregistration/validation): what the dispatcher relies on is refused at the
door with a 422, so a stored configuration can always be read and called.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from localnlb.cluster.apiserver.admission.webhook_matching import (
    DEFAULT_TIMEOUT_SECONDS,
    REVIEW_VERSIONS,
    FailurePolicy,
    Operation,
)
from localnlb.cluster.apiserver.objects.causes import (
    duplicate,
    invalid_value,
    required,
    unsupported,
)
from localnlb.cluster.apiserver.objects.status import Cause

JsonObject = dict[str, Any]
_FAILURE_POLICIES = tuple(policy.value for policy in FailurePolicy)
_SIDE_EFFECTS = ("None", "NoneOnDryRun")
_OPERATIONS = ("*", *(operation.value for operation in Operation))
_SCOPES = ("*", "Cluster", "Namespaced")


def _client_config(path: str, client: Any) -> list[Cause]:
    if not isinstance(client, dict):
        return [required(path)]
    url, service = client.get("url"), client.get("service")
    if bool(url) == bool(service):
        return [Cause(path, "Required value: exactly one of url or service is required")]
    if url:
        parts = urlsplit(str(url))
        if parts.scheme != "https":
            return [invalid_value(f"{path}.url", url, "'https' is the only allowed URL scheme")]
        if not parts.hostname:
            return [invalid_value(f"{path}.url", url, "host must be specified")]
        return []
    if not isinstance(service, dict) or not service.get("name") or not service.get("namespace"):
        return [required(f"{path}.service.name"), required(f"{path}.service.namespace")]
    port = service.get("port", 443)
    if not isinstance(port, int) or not 1 <= port <= 65535:
        return [invalid_value(f"{path}.service.port", port, "port is not valid")]
    return []


def _rules(path: str, rules: Any) -> list[Cause]:
    if not isinstance(rules, list):
        return [invalid_value(path, rules, "must be a list")]
    causes = []
    for index, rule in enumerate(rules):
        where = f"{path}[{index}]"
        if not isinstance(rule, dict):
            causes.append(invalid_value(where, rule, "must be an object"))
            continue
        for field in ("operations", "apiGroups", "apiVersions", "resources"):
            if not rule.get(field) or not isinstance(rule[field], list):
                causes.append(required(f"{where}.{field}"))
        for operation in rule.get("operations") or []:
            if operation not in _OPERATIONS:
                causes.append(unsupported(f"{where}.operations", operation, _OPERATIONS[1:]))
        scope = rule.get("scope", "*")
        if scope not in _SCOPES:
            causes.append(unsupported(f"{where}.scope", scope, _SCOPES))
    return causes


def _webhook(path: str, hook: Any) -> list[Cause]:
    if not isinstance(hook, dict):
        return [invalid_value(path, hook, "must be an object")]
    causes: list[Cause] = []
    name = str(hook.get("name") or "")
    if not name:
        causes.append(required(f"{path}.name"))
    elif name.count(".") < 2:
        causes.append(
            invalid_value(f"{path}.name", name, "should be a domain with at least three segments")
        )
    policy = hook.get("failurePolicy", FailurePolicy.FAIL.value)
    if policy not in _FAILURE_POLICIES:
        causes.append(unsupported(f"{path}.failurePolicy", policy, _FAILURE_POLICIES))
    side_effects = hook.get("sideEffects")
    if side_effects is None:
        causes.append(required(f"{path}.sideEffects"))
    elif side_effects not in _SIDE_EFFECTS:
        causes.append(unsupported(f"{path}.sideEffects", side_effects, _SIDE_EFFECTS))
    versions = hook.get("admissionReviewVersions")
    if not isinstance(versions, list) or not any(v in REVIEW_VERSIONS for v in versions):
        causes.append(
            Cause(
                f"{path}.admissionReviewVersions",
                "Required value: must specify one of v1, v1beta1",
                "FieldValueRequired",
            )
        )
    timeout = hook.get("timeoutSeconds", DEFAULT_TIMEOUT_SECONDS)
    if not isinstance(timeout, int) or not 1 <= timeout <= 30:
        causes.append(
            invalid_value(
                f"{path}.timeoutSeconds",
                timeout,
                "the timeout value must be between 1 and 30 seconds",
            )
        )
    causes += _client_config(f"{path}.clientConfig", hook.get("clientConfig"))
    causes += _rules(f"{path}.rules", hook.get("rules") or [])
    return causes


def configuration(obj: JsonObject, old: JsonObject | None = None) -> list[Cause]:
    """Causes for a configuration (``old``: the stored one on update; nothing depends on it)."""
    del old
    hooks = obj.get("webhooks") or []
    if not isinstance(hooks, list):
        return [invalid_value("webhooks", hooks, "must be a list")]
    causes: list[Cause] = []
    seen: set[str] = set()
    for index, hook in enumerate(hooks):
        path = f"webhooks[{index}]"
        causes += _webhook(path, hook)
        name = str(hook.get("name") or "") if isinstance(hook, dict) else ""
        if name in seen:
            causes.append(duplicate(f"{path}.name", name))
        seen.add(name)
    return causes
