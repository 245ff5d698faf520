"""Built-in decoding and validation: wrong types, nulls, enums, references, strategies."""

from __future__ import annotations

from typing import Any

import pytest

from localnlb.cluster.apiserver.admission.validation import validate
from localnlb.cluster.apiserver.decoding.typed import decode
from localnlb.cluster.apiserver.objects.status import ApiError
from localnlb.cluster.schema.kinds import builtin_by_kind


def _pod_spec(**spec: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "i"}], **spec},
    }


def _fields(store_key: str, obj: dict[str, Any]) -> list[str]:
    return [cause.field for cause in validate(store_key, obj, None)]


def test_decode_refuses_wrong_types_in_the_real_words() -> None:
    pod_type = builtin_by_kind("", "Pod")
    assert pod_type is not None
    with pytest.raises(ApiError) as raised:
        decode(
            pod_type, {"spec": {"containers": [{"name": "c", "ports": [{"containerPort": "80"}]}]}}
        )
    assert raised.value.message == (
        'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go'
        " struct field ContainerPort.spec.containers.ports.containerPort of type int32"
    )
    with pytest.raises(ApiError, match="parsing time"):
        decode(pod_type, {"metadata": {"creationTimestamp": "yesterday"}})


def test_decode_drops_nulls_and_empty_optional_collections() -> None:
    pod_type = builtin_by_kind("", "Pod")
    assert pod_type is not None
    body: dict[str, Any] = {
        "metadata": {"labels": {}, "annotations": None},
        "spec": {"containers": [None], "securityContext": {}},
    }
    decode(pod_type, body)
    assert body == {"metadata": {}, "spec": {"containers": [{}], "securityContext": {}}}


def test_pod_enums_and_volume_references() -> None:
    causes = _fields("/pods", _pod_spec(restartPolicy="Sometimes", dnsPolicy="Magic"))
    assert causes == ["spec.restartPolicy", "spec.dnsPolicy"]
    spec = _pod_spec()
    spec["spec"]["containers"][0]["volumeMounts"] = [{"name": "tmp", "mountPath": "/tmp"}]
    found = validate("/pods", spec, None)
    assert [(c.field, c.message) for c in found] == [
        ("spec.containers[0].volumeMounts[0].name", 'Not found: "tmp"')
    ]
    spec["spec"]["volumes"] = [{"name": "tmp", "emptyDir": {}}]
    assert validate("/pods", spec, None) == []


def test_deployment_strategy_and_selector() -> None:
    deployment: dict[str, Any] = {
        "metadata": {"name": "d"},
        "spec": {
            "selector": {"matchLabels": {"app": "d"}},
            "strategy": {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}},
            "template": {
                "metadata": {"labels": {"app": "other"}},
                "spec": {"containers": [{"name": "c", "image": "i"}], "restartPolicy": "Never"},
            },
        },
    }
    assert _fields("apps/deployments", deployment) == [
        "spec.template.metadata.labels",
        "spec.template.spec.restartPolicy",
        "spec.strategy.rollingUpdate",
    ]


def test_names_labels_and_services() -> None:
    assert _fields("/namespaces", {"metadata": {"name": "Bad.Name"}}) == ["metadata.name"]
    assert _fields("/configmaps", {"metadata": {"name": "c", "labels": {"a b": "x"}}}) == [
        "metadata.labels"
    ]
    service = {
        "metadata": {"name": "s"},
        "spec": {"type": "ClusterIP", "ports": [{"port": 70000, "nodePort": 30001}]},
    }
    assert _fields("/services", service) == ["spec.ports[0].port", "spec.ports[0].nodePort"]
