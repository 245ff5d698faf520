"""Which registered admission webhooks apply to a request, the AdmissionReview sent, and what
the API server makes of the answer (patch applied, denial Status, unusable answers)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from localnlb.cluster.apiserver.admission.webhook_config_defaults import mutating_configuration
from localnlb.cluster.apiserver.admission.webhook_config_validation import (
    configuration as configuration_causes,
)
from localnlb.cluster.apiserver.admission.webhook_matching import (
    AdmissionAttributes,
    FailurePolicy,
    Operation,
    Rule,
    ServiceRef,
    applies,
    ordered_webhooks,
    rule_matches,
    selector_matches,
    webhooks_of,
)
from localnlb.cluster.apiserver.admission.webhook_review import (
    WebhookCallFailed,
    answer_to_object,
    build_review,
)
from localnlb.cluster.apiserver.objects.status import ApiError
from localnlb.cluster.apiserver.webhooks.client import is_loopback_url
from localnlb.cluster.schema.kinds import ResourceType, builtin_by_kind


def _builtin(group: str, kind: str) -> ResourceType:
    found = builtin_by_kind(group, kind)
    assert found is not None
    return found


POD = _builtin("", "Pod")
SERVICE = _builtin("", "Service")
DEPLOYMENT = _builtin("apps", "Deployment")
NAMESPACE = _builtin("", "Namespace")
NODE = _builtin("", "Node")


def configuration(name: str, *hooks: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "MutatingWebhookConfiguration",
        "metadata": {"name": name},
        "webhooks": list(hooks),
    }


def hook(name: str, **fields: Any) -> dict[str, Any]:
    return {
        "name": name,
        "clientConfig": {"url": "https://127.0.0.1:9443/mutate"},
        "rules": [
            {
                "apiGroups": [""],
                "apiVersions": ["v1"],
                "operations": ["CREATE"],
                "resources": ["pods"],
            }
        ],
        "admissionReviewVersions": ["v1"],
        "sideEffects": "None",
        **fields,
    }


def pod(labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ns", "labels": labels or {}},
        "spec": {"containers": [{"name": "c", "image": "x"}]},
    }


def creating(obj: dict[str, Any], rt: Any = POD, **fields: Any) -> AdmissionAttributes:
    return AdmissionAttributes(
        operation=fields.pop("operation", Operation.CREATE),
        rt=rt,
        namespace="ns",
        name="p",
        obj=obj,
        **fields,
    )


def test_configuration_fields_with_the_api_defaults() -> None:
    ca = base64.b64encode(b"PEM").decode()
    [parsed] = webhooks_of(
        configuration(
            "c",
            hook(
                "m.example.com",
                failurePolicy="Ignore",
                timeoutSeconds=3,
                clientConfig={
                    "service": {"namespace": "kube-system", "name": "svc", "path": "/m"},
                    "caBundle": ca,
                },
            ),
        )
    )
    assert parsed.configuration == "c"
    assert parsed.failure_policy is FailurePolicy.IGNORE
    assert parsed.timeout_seconds == 3
    assert parsed.service == ServiceRef("kube-system", "svc", "/m", 443)
    assert parsed.ca_bundle == b"PEM"
    [default] = webhooks_of(configuration("c", hook("d.example.com")))
    assert default.failure_policy is FailurePolicy.FAIL
    assert default.timeout_seconds == 10
    assert default.url == "https://127.0.0.1:9443/mutate"


def test_stored_configuration_gets_the_servers_defaults() -> None:
    stored = configuration("c", hook("d.example.com"))
    mutating_configuration(stored)
    [defaulted] = stored["webhooks"]
    assert defaulted["failurePolicy"] == "Fail"
    assert defaulted["matchPolicy"] == "Equivalent"
    assert defaulted["timeoutSeconds"] == 10
    assert defaulted["namespaceSelector"] == {}
    assert defaulted["objectSelector"] == {}
    assert defaulted["reinvocationPolicy"] == "Never"
    assert defaulted["rules"][0]["scope"] == "*"


def test_webhooks_are_called_in_configuration_name_order() -> None:
    found = ordered_webhooks(
        [configuration("b", hook("b1"), hook("b0")), configuration("a", hook("a1"))]
    )
    assert [h.name for h in found] == ["a1", "b1", "b0"]


@pytest.mark.parametrize(
    ("rule", "operation", "rt", "subresource", "matches"),
    [
        (Rule(("CREATE",), ("",), ("v1",), ("pods",)), Operation.CREATE, POD, "", True),
        (Rule(("CREATE",), ("",), ("v1",), ("pods",)), Operation.UPDATE, POD, "", False),
        (Rule(("*",), ("",), ("v1",), ("pods",)), Operation.UPDATE, POD, "", True),
        (Rule(("CREATE",), ("",), ("v1",), ("pods",)), Operation.CREATE, SERVICE, "", False),
        (Rule(("CREATE",), ("apps",), ("v1",), ("pods",)), Operation.CREATE, POD, "", False),
        (Rule(("CREATE",), ("*",), ("*",), ("*",)), Operation.CREATE, DEPLOYMENT, "", True),
        (Rule(("CREATE",), ("",), ("v2",), ("pods",)), Operation.CREATE, POD, "", False),
        # a subresource is matched only when the rule names it
        (Rule(("UPDATE",), ("",), ("v1",), ("pods",)), Operation.UPDATE, POD, "status", False),
        (Rule(("UPDATE",), ("",), ("v1",), ("*",)), Operation.UPDATE, POD, "status", False),
        (
            Rule(("UPDATE",), ("",), ("v1",), ("pods/status",)),
            Operation.UPDATE,
            POD,
            "status",
            True,
        ),
        (Rule(("UPDATE",), ("",), ("v1",), ("pods/*",)), Operation.UPDATE, POD, "status", True),
        (Rule(("UPDATE",), ("",), ("v1",), ("*/status",)), Operation.UPDATE, POD, "status", True),
        (Rule(("UPDATE",), ("",), ("v1",), ("*/*",)), Operation.UPDATE, POD, "status", True),
        # scope
        (
            Rule(("CREATE",), ("*",), ("*",), ("*",), "Namespaced"),
            Operation.CREATE,
            NODE,
            "",
            False,
        ),
        (Rule(("CREATE",), ("*",), ("*",), ("*",), "Cluster"), Operation.CREATE, NODE, "", True),
        (Rule(("CREATE",), ("*",), ("*",), ("*",), "Cluster"), Operation.CREATE, POD, "", False),
    ],
)
def test_rule_matching(
    rule: Rule, operation: Operation, rt: Any, subresource: str, matches: bool
) -> None:
    assert rule_matches(rule, operation=operation, rt=rt, subresource=subresource) is matches


@pytest.mark.parametrize(
    ("selector", "labels", "matches"),
    [
        (None, {}, True),
        ({}, {"a": "b"}, True),
        ({"matchLabels": {"a": "b"}}, {"a": "b", "c": "d"}, True),
        ({"matchLabels": {"a": "b"}}, {"a": "x"}, False),
        ({"matchExpressions": [{"key": "a", "operator": "In", "values": ["b"]}]}, {}, False),
        ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["b"]}]}, {}, True),
        ({"matchExpressions": [{"key": "a", "operator": "Exists"}]}, {"a": ""}, True),
        ({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}, {"a": ""}, False),
    ],
)
def test_label_selector_objects(
    selector: dict[str, Any] | None, labels: dict[str, str], matches: bool
) -> None:
    assert selector_matches(selector, labels) is matches


INJECT = {
    "matchExpressions": [
        {"key": "elbv2.k8s.aws/pod-readiness-gate-inject", "operator": "In", "values": ["enabled"]}
    ]
}
NOT_CONTROLLER = {
    "matchExpressions": [
        {"key": "app.kubernetes.io/name", "operator": "NotIn", "values": ["controller"]}
    ]
}


def test_namespace_selector_reads_the_namespaces_labels() -> None:
    [gated] = webhooks_of(configuration("c", hook("m", namespaceSelector=INJECT)))
    labelled = {"elbv2.k8s.aws/pod-readiness-gate-inject": "enabled"}
    assert applies(gated, creating(pod()), labelled)
    assert not applies(gated, creating(pod()), {})
    assert not applies(gated, creating(pod()), {"elbv2.k8s.aws/pod-readiness-gate-inject": "no"})


def test_namespace_selector_on_namespaces_and_cluster_scoped_objects() -> None:
    everything = {"apiGroups": ["*"], "apiVersions": ["*"], "operations": ["*"], "resources": ["*"]}
    [gated] = webhooks_of(
        configuration("c", hook("m", namespaceSelector=INJECT, rules=[everything]))
    )
    namespace = {"metadata": {"name": "n", "labels": {}}}
    labelled = {
        "metadata": {"name": "n", "labels": {INJECT["matchExpressions"][0]["key"]: "enabled"}}
    }
    assert not applies(gated, creating(namespace, NAMESPACE), {})
    assert applies(gated, creating(labelled, NAMESPACE), {})
    # other cluster-scoped objects: the namespaceSelector does not apply
    assert applies(gated, creating({"metadata": {"name": "node"}}, NODE), {})


def test_object_selector_matches_the_new_or_the_old_object() -> None:
    [hooked] = webhooks_of(
        configuration(
            "c",
            hook(
                "m",
                objectSelector=NOT_CONTROLLER,
                rules=[
                    {
                        "apiGroups": [""],
                        "apiVersions": ["v1"],
                        "operations": ["*"],
                        "resources": ["pods"],
                    }
                ],
            ),
        )
    )
    mine = pod({"app.kubernetes.io/name": "controller"})
    assert applies(hooked, creating(pod({"app": "web"})), {})
    assert not applies(hooked, creating(mine), {})
    update = creating(mine, operation=Operation.UPDATE, old=pod({"app": "web"}))
    assert applies(hooked, update, {})


def review_of(answer: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": answer}


def encoded(operations: list[dict[str, Any]]) -> str:
    return base64.b64encode(json.dumps(operations).encode()).decode()


[HOOK] = webhooks_of(configuration("c", hook("m.example.com")))


def test_review_request_carries_the_object_and_the_request() -> None:
    obj = pod({"app": "web"})
    review = build_review(HOOK, creating(obj, dry_run=True), uid="u-1")
    assert review["apiVersion"] == "admission.k8s.io/v1"
    assert review["kind"] == "AdmissionReview"
    request = review["request"]
    assert request["uid"] == "u-1"
    assert request["operation"] == "CREATE"
    assert request["kind"] == {"group": "", "version": "v1", "kind": "Pod"}
    assert request["resource"] == {"group": "", "version": "v1", "resource": "pods"}
    assert request["namespace"] == "ns"
    assert request["object"] == obj
    assert request["oldObject"] is None
    assert request["dryRun"] is True


def test_v1beta1_only_webhooks_get_a_v1beta1_review() -> None:
    [old] = webhooks_of(configuration("c", hook("m", admissionReviewVersions=["v1beta1"])))
    assert build_review(old, creating(pod()), uid="u")["apiVersion"] == ("admission.k8s.io/v1beta1")
    [unknown] = webhooks_of(configuration("c", hook("m", admissionReviewVersions=["v2"])))
    with pytest.raises(WebhookCallFailed):
        build_review(unknown, creating(pod()), uid="u")


def test_allowed_answer_with_a_json_patch_is_applied() -> None:
    patch = [{"op": "add", "path": "/spec/readinessGates", "value": [{"conditionType": "g"}]}]
    answer = review_of(
        {"uid": "u", "allowed": True, "patchType": "JSONPatch", "patch": encoded(patch)}
    )
    obj = pod()
    patched = answer_to_object(HOOK, answer, uid="u", obj=obj, mutating=True)
    assert patched is not None
    assert patched["spec"]["readinessGates"] == [{"conditionType": "g"}]
    assert "readinessGates" not in obj["spec"]  # the input is not changed in place


def test_allowed_answer_without_patch_keeps_the_object() -> None:
    obj = pod()
    answer = review_of({"uid": "u", "allowed": True})
    assert answer_to_object(HOOK, answer, uid="u", obj=obj, mutating=True) is obj


@pytest.mark.parametrize(
    ("status", "code", "reason", "message"),
    [
        (
            {"code": 403, "reason": "Forbidden", "message": "no pods here"},
            403,
            "Forbidden",
            'admission webhook "m.example.com" denied the request: no pods here',
        ),
        (
            {"message": "bad"},
            400,
            "",
            'admission webhook "m.example.com" denied the request: bad',
        ),
        (
            {"code": 200, "reason": "NotAllowed"},
            400,
            "NotAllowed",
            'admission webhook "m.example.com" denied the request: NotAllowed',
        ),
        (
            None,
            400,
            "",
            'admission webhook "m.example.com" denied the request without explanation',
        ),
    ],
)
def test_denial_becomes_kubernetes_denial_status(
    status: dict[str, Any] | None, code: int, reason: str, message: str
) -> None:
    answer = review_of({"uid": "u", "allowed": False, "status": status})
    with pytest.raises(ApiError) as raised:
        answer_to_object(HOOK, answer, uid="u", obj=pod(), mutating=True)
    assert (raised.value.code, raised.value.reason, raised.value.message) == (
        code,
        reason,
        message,
    )


@pytest.mark.parametrize(
    "answer",
    [
        {"kind": "Status"},
        "not json object",
        {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"},
        review_of({"uid": "other", "allowed": True}),
        review_of({"uid": "u", "allowed": True, "patchType": "Merge", "patch": encoded([])}),
        review_of({"uid": "u", "allowed": True, "patchType": "JSONPatch", "patch": "%%%"}),
        review_of(
            {
                "uid": "u",
                "allowed": True,
                "patchType": "JSONPatch",
                "patch": encoded([{"op": "remove", "path": "/spec/missing"}]),
            }
        ),
        review_of(
            {
                "uid": "u",
                "allowed": True,
                "patchType": "JSONPatch",
                "patch": encoded([{"op": "replace", "path": "", "value": [1]}]),
            }
        ),
    ],
)
def test_unusable_answers_are_call_failures(answer: Any) -> None:
    with pytest.raises(WebhookCallFailed):
        answer_to_object(HOOK, answer, uid="u", obj=pod(), mutating=True)


def test_validating_webhook_may_not_patch() -> None:
    patch = encoded([{"op": "add", "path": "/metadata/labels/x", "value": "y"}])
    answer = review_of({"uid": "u", "allowed": True, "patchType": "JSONPatch", "patch": patch})
    with pytest.raises(WebhookCallFailed):
        answer_to_object(HOOK, answer, uid="u", obj=pod(), mutating=False)


def test_valid_configuration_has_no_causes() -> None:
    assert configuration_causes(configuration("c", hook("m.example.com"))) == []


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": "short"}, "webhooks[0].name", "at least three segments"),
        ({"failurePolicy": "fail"}, "webhooks[0].failurePolicy", 'Unsupported value: "fail"'),
        ({"sideEffects": None}, "webhooks[0].sideEffects", "Required value"),
        ({"sideEffects": "Some"}, "webhooks[0].sideEffects", 'Unsupported value: "Some"'),
        (
            {"admissionReviewVersions": ["v2"]},
            "webhooks[0].admissionReviewVersions",
            "must specify one of v1, v1beta1",
        ),
        ({"timeoutSeconds": 31}, "webhooks[0].timeoutSeconds", "between 1 and 30 seconds"),
        (
            {"clientConfig": {"url": "http://127.0.0.1/x"}},
            "webhooks[0].clientConfig.url",
            "'https' is the only allowed URL scheme",
        ),
        ({"clientConfig": {}}, "webhooks[0].clientConfig", "exactly one of url or service"),
        (
            {
                "rules": [
                    {
                        "operations": ["MAKE"],
                        "apiGroups": [""],
                        "apiVersions": ["v1"],
                        "resources": ["pods"],
                    }
                ]
            },
            "webhooks[0].rules[0].operations",
            'Unsupported value: "MAKE"',
        ),
    ],
)
def test_invalid_configurations(changes: dict[str, Any], field: str, words: str) -> None:
    merged = {**hook("m.example.com"), **changes}
    fields = {k: v for k, v in merged.items() if v is not None}
    causes = configuration_causes(configuration("c", fields))
    assert [c.field for c in causes] == [field]
    assert words in causes[0].message


def test_duplicate_webhook_names() -> None:
    causes = configuration_causes(configuration("c", hook("m.example.com"), hook("m.example.com")))
    assert [(c.field, c.reason) for c in causes] == [("webhooks[1].name", "FieldValueDuplicate")]


def test_malformed_stored_entries_are_read_with_defaults() -> None:
    stored = configuration("c", hook("m.example.com", failurePolicy="odd", timeoutSeconds="x"))
    stored["webhooks"].append("not an object")
    [parsed] = webhooks_of(stored)
    assert parsed.failure_policy is FailurePolicy.FAIL
    assert parsed.timeout_seconds == 10


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("https://127.0.0.1:9443/x", True),
        ("https://127.61.0.5/x", True),
        ("https://[::1]:9443/x", True),
        ("https://localhost:9443/x", True),
        ("https://10.0.0.1/x", False),
        ("https://webhook.example.com/x", False),
        ("https://127.0.0.1.example.com/x", False),
    ],
)
def test_only_loopback_webhooks_are_called(url: str, loopback: bool) -> None:
    assert is_loopback_url(url) is loopback
