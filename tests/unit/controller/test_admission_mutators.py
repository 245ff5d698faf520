"""The controller's admission webhooks, pure: readiness-gate injection, the Service class
default, the AdmissionReview answer, the registered configuration and where it may point."""

from __future__ import annotations

import base64
import json
from typing import Any

import jsonpatch
import pytest

from localnlb.controller.runtime.webhook_registration import reachable_from
from localnlb.controller.service.settings import ControllerSettings
from localnlb.controller.webhooks.configuration import webhook_configuration
from localnlb.controller.webhooks.pod_readiness import (
    BindingTarget,
    binding_target,
    readiness_gate_patch,
    wanted_gates,
)
from localnlb.controller.webhooks.review import BadReview, allow, deny, parse_review
from localnlb.controller.webhooks.service_class import service_class_patch

SETTINGS = ControllerSettings(cluster_name="c", vpc_id="vpc-1")
WEB = {"app": "web", "tier": "front"}


def gate(name: str) -> str:
    return f"target-health.elbv2.k8s.aws/{name}"


def test_binding_target_from_the_object() -> None:
    obj = {
        "metadata": {"name": "k8s-ui-web-1"},
        "spec": {"targetType": "ip", "serviceRef": {"name": "web", "port": 80}},
    }
    assert binding_target(obj) == BindingTarget("k8s-ui-web-1", "ip", "web")
    assert binding_target({"metadata": {"name": "b"}}) == BindingTarget("b", "", "")


@pytest.mark.parametrize(
    ("bindings", "selectors", "wanted"),
    [
        ([BindingTarget("b", "ip", "web")], {"web": {"app": "web"}}, [gate("b")]),
        # instance bindings get no gate
        ([BindingTarget("b", "instance", "web")], {"web": {"app": "web"}}, []),
        ([BindingTarget("b", "", "web")], {"web": {"app": "web"}}, []),
        # an empty selector selects no pod; a missing Service neither
        ([BindingTarget("b", "ip", "web")], {"web": {}}, []),
        ([BindingTarget("b", "ip", "web")], {"web": None}, []),
        ([BindingTarget("b", "ip", "gone")], {}, []),
        # the selector must match every label it names
        ([BindingTarget("b", "ip", "web")], {"web": {"app": "web", "tier": "back"}}, []),
        # several bindings: each matching one, in name order
        (
            [BindingTarget("z", "ip", "web"), BindingTarget("a", "ip", "web")],
            {"web": {"tier": "front"}},
            [gate("a"), gate("z")],
        ),
    ],
)
def test_wanted_gates(
    bindings: list[BindingTarget], selectors: dict[str, Any], wanted: list[str]
) -> None:
    assert wanted_gates(WEB, bindings, selectors) == wanted


def pod(gates: list[str] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": "c", "image": "x"}]}
    if gates is not None:
        spec["readinessGates"] = [{"conditionType": g} for g in gates]
    return {"metadata": {"labels": WEB}, "spec": spec}


def patched(obj: dict[str, Any], operations: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = jsonpatch.apply_patch(obj, operations)
    return result


def test_gate_added_to_a_pod_without_gates() -> None:
    operations = readiness_gate_patch(pod(), [gate("b")])
    assert patched(pod(), operations)["spec"]["readinessGates"] == [{"conditionType": gate("b")}]


def test_duplicates_are_skipped_and_other_gates_kept() -> None:
    assert readiness_gate_patch(pod([gate("b")]), [gate("b")]) == []
    operations = readiness_gate_patch(pod(["example.com/own", gate("b")]), [gate("b"), gate("c")])
    assert [
        g["conditionType"]
        for g in patched(pod(["example.com/own", gate("b")]), operations)["spec"]["readinessGates"]
    ] == ["example.com/own", gate("b"), gate("c")]
    assert readiness_gate_patch(pod(), [gate("b"), gate("b")]) == [
        {"op": "add", "path": "/spec/readinessGates", "value": [{"conditionType": gate("b")}]}
    ]


def test_nothing_wanted_changes_nothing() -> None:
    assert readiness_gate_patch(pod(), []) == []
    assert readiness_gate_patch(pod([]), []) == []


def test_legacy_alb_ingress_gates_are_dropped() -> None:
    legacy = "target-health.alb.ingress.k8s.aws/old"
    operations = readiness_gate_patch(pod([legacy, "example.com/own"]), [])
    result = patched(pod([legacy, "example.com/own"]), operations)
    assert result["spec"]["readinessGates"] == [{"conditionType": "example.com/own"}]


def service(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": "ui"},
        "spec": {"ports": [{"port": 80}], **spec},
    }


def test_new_load_balancer_service_gets_our_class() -> None:
    operations = service_class_patch(service(type="LoadBalancer"), SETTINGS)
    assert operations == [
        {"op": "add", "path": "/spec/loadBalancerClass", "value": "service.k8s.aws/nlb"}
    ]
    assert service_class_patch(service(type="LoadBalancer", loadBalancerClass=""), SETTINGS) == (
        operations
    )
    named = service(type="LoadBalancer")
    named["metadata"] = {"generateName": "web-", "namespace": "ui"}
    assert service_class_patch(named, SETTINGS) == operations
    other = ControllerSettings(cluster_name="c", vpc_id="v", load_balancer_class="x.io/lb")
    assert service_class_patch(service(type="LoadBalancer"), other)[0]["value"] == "x.io/lb"


@pytest.mark.parametrize(
    "spec",
    [
        {"type": "LoadBalancer", "loadBalancerClass": "example.com/lb"},
        {"type": "LoadBalancer", "loadBalancerClass": "service.k8s.aws/nlb"},
        {"type": "ClusterIP"},
        {"type": "NodePort"},
        {},
    ],
)
def test_other_services_are_untouched(spec: dict[str, Any]) -> None:
    assert service_class_patch(service(**spec), SETTINGS) == []


def test_update_keeps_the_class_the_old_object_had() -> None:
    old = service(type="LoadBalancer", loadBalancerClass="example.com/lb")
    assert service_class_patch(service(type="LoadBalancer"), SETTINGS, old=old) == [
        {"op": "add", "path": "/spec/loadBalancerClass", "value": "example.com/lb"}
    ]
    assert service_class_patch(service(type="LoadBalancer"), SETTINGS, old=service()) == []


def review(obj: Any, version: str = "admission.k8s.io/v1") -> dict[str, Any]:
    return {
        "apiVersion": version,
        "kind": "AdmissionReview",
        "request": {"uid": "u-1", "operation": "CREATE", "namespace": "ui", "object": obj},
    }


def test_answer_echoes_the_uid_and_version_with_a_base64_patch() -> None:
    request = parse_review(review(pod(), "admission.k8s.io/v1beta1"))
    operations = [{"op": "add", "path": "/x", "value": 1}]
    answer = allow(request, operations)
    assert answer["apiVersion"] == "admission.k8s.io/v1beta1"
    assert answer["kind"] == "AdmissionReview"
    response = answer["response"]
    assert response["uid"] == "u-1"
    assert response["allowed"] is True
    assert response["patchType"] == "JSONPatch"
    assert json.loads(base64.b64decode(response["patch"])) == operations
    assert allow(request, [])["response"] == {"uid": "u-1", "allowed": True}
    denied = deny(request, "no")["response"]
    assert denied == {"uid": "u-1", "allowed": False, "status": {"code": 400, "message": "no"}}


@pytest.mark.parametrize(
    "body",
    [
        None,
        {"kind": "Pod"},
        review(pod(), "admission.k8s.io/v2"),
        review("not an object"),
        {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"},
    ],
)
def test_bad_reviews_are_refused(body: Any) -> None:
    with pytest.raises(BadReview):
        parse_review(body)


def test_registered_configuration() -> None:
    config = webhook_configuration("https://127.0.0.1:9443", b"CA PEM")
    assert config["metadata"]["name"] == "aws-load-balancer-webhook"
    pod_hook, service_hook, binding_hook = config["webhooks"]
    assert pod_hook["name"] == "mpod.elbv2.k8s.aws"
    assert pod_hook["clientConfig"] == {
        "url": "https://127.0.0.1:9443/mutate-v1-pod",
        "caBundle": base64.b64encode(b"CA PEM").decode(),
    }
    assert pod_hook["failurePolicy"] == "Ignore"
    assert pod_hook["rules"][0]["operations"] == ["CREATE"]
    assert pod_hook["rules"][0]["resources"] == ["pods"]
    assert pod_hook["namespaceSelector"]["matchExpressions"] == [
        {"key": "elbv2.k8s.aws/pod-readiness-gate-inject", "operator": "In", "values": ["enabled"]}
    ]
    assert pod_hook["objectSelector"]["matchExpressions"][0]["operator"] == "NotIn"
    assert service_hook["name"] == "mservice.elbv2.k8s.aws"
    assert service_hook["clientConfig"]["url"] == "https://127.0.0.1:9443/mutate-v1-service"
    assert service_hook["failurePolicy"] == "Fail"
    assert service_hook["rules"][0]["resources"] == ["services"]
    assert "namespaceSelector" not in service_hook
    assert binding_hook["name"] == "mtargetgroupbinding.elbv2.k8s.aws"
    assert binding_hook["clientConfig"]["url"] == (
        "https://127.0.0.1:9443/mutate-elbv2-k8s-aws-v1beta1-targetgroupbinding"
    )
    assert binding_hook["rules"] == [
        {
            "apiGroups": ["elbv2.k8s.aws"],
            "apiVersions": ["v1beta1"],
            "operations": ["CREATE"],
            "resources": ["targetgroupbindings"],
        }
    ]
    assert binding_hook["failurePolicy"] == "Fail"
    only_pods = webhook_configuration("https://h", b"", service_class=False, bindings=False)
    assert [h["name"] for h in only_pods["webhooks"]] == ["mpod.elbv2.k8s.aws"]


@pytest.mark.parametrize(
    ("api_server", "webhook_host", "reachable"),
    [
        ("https://127.0.0.1:6443", "127.0.0.1", True),
        ("https://127.0.5.1:6443", "127.0.0.1", True),
        ("https://localhost:6443", "127.0.0.1", True),
        ("https://ABCD.gr7.us-west-2.eks.amazonaws.com", "127.0.0.1", False),
        ("https://10.0.0.1:6443", "127.0.0.1", False),
        ("https://10.0.0.1:6443", "10.0.0.5", True),
    ],
)
def test_webhooks_only_where_the_api_server_can_call_back(
    api_server: str, webhook_host: str, reachable: bool
) -> None:
    assert reachable_from(api_server, webhook_host) is reachable
