"""The defaults the API server fills into stored webhook configurations
(admissionregistration/v1 SetDefaults_*), so ``kubectl get -o yaml`` shows what a real one does.
"""

from __future__ import annotations

from typing import Any

from localnlb.cluster.apiserver.admission.webhook_matching import DEFAULT_TIMEOUT_SECONDS

JsonObject = dict[str, Any]


def _webhook(hook: JsonObject, *, mutating: bool) -> None:
    hook.setdefault("failurePolicy", "Fail")
    hook.setdefault("matchPolicy", "Equivalent")
    hook.setdefault("namespaceSelector", {})
    hook.setdefault("objectSelector", {})
    hook.setdefault("timeoutSeconds", DEFAULT_TIMEOUT_SECONDS)
    if mutating:
        hook.setdefault("reinvocationPolicy", "Never")
    for rule in hook.get("rules") or []:
        if isinstance(rule, dict):
            rule.setdefault("scope", "*")
    client = hook.get("clientConfig")
    if isinstance(client, dict) and isinstance(client.get("service"), dict):
        client["service"].setdefault("port", 443)


def mutating_configuration(obj: JsonObject) -> None:
    for hook in obj.get("webhooks") or []:
        if isinstance(hook, dict):
            _webhook(hook, mutating=True)


def validating_configuration(obj: JsonObject) -> None:
    for hook in obj.get("webhooks") or []:
        if isinstance(hook, dict):
            _webhook(hook, mutating=False)
