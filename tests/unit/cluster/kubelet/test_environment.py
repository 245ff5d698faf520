"""A container's environment is built as the kubelet builds it."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
import yaml

from localnlb.cluster.kubelet.environment import (
    ContainerConfigError,
    PodContext,
    build_environment,
    decode_secret_data,
    field_value,
)

CONTEXT = PodContext(
    node_name="ip-127-20-0-10.us-west-2.compute.internal",
    host_ip="127.20.0.10",
    pod_ip="127.20.1.7",
    availability_zone="us-west-2a",
    config_maps={"ui": {"RETAIL_UI_ENDPOINTS_CATALOG": "http://catalog.catalog.svc:80"}},
    secrets={"db": {"password": "s3cret"}},
)


def make_pod(container: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return {
        "metadata": {
            "name": "ui-7f8b9c-abcde",
            "namespace": "ui",
            "uid": "0d6c2b9e-1111-2222-3333-444455556666",
            "labels": {"app": "ui", "tier": 'front"end'},
            "annotations": {"note": "hello"},
        },
        "spec": {"nodeName": CONTEXT.node_name, "containers": [container], **spec},
    }


def test_workshop_ui_container_gets_downward_api_and_configmap(workshop_dir: Path) -> None:
    deployment = yaml.safe_load(
        (workshop_dir / "manifests/base-application/ui/deployment.yaml").read_text()
    )
    template = deployment["spec"]["template"]
    pod = make_pod(template["spec"]["containers"][0], serviceAccountName="ui")
    env = build_environment(pod, pod["spec"]["containers"][0], CONTEXT)
    assert env == {
        "RETAIL_UI_ENDPOINTS_CATALOG": "http://catalog.catalog.svc:80",
        "JAVA_OPTS": "-XX:MaxRAMPercentage=75.0 -Djava.security.egd=file:/dev/urandom",
        "METADATA_KUBERNETES_POD_NAME": "ui-7f8b9c-abcde",
        "METADATA_KUBERNETES_NAMESPACE": "ui",
        "METADATA_KUBERNETES_NODE_NAME": CONTEXT.node_name,
    }


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("metadata.name", "ui-7f8b9c-abcde"),
        ("metadata.namespace", "ui"),
        ("metadata.uid", "0d6c2b9e-1111-2222-3333-444455556666"),
        ("metadata.labels['app']", "ui"),
        ("metadata.labels['missing']", ""),
        ("metadata.annotations['note']", "hello"),
        ("metadata.labels", 'app="ui"\ntier="front\\"end"'),
        ("spec.nodeName", CONTEXT.node_name),
        ("spec.serviceAccountName", "default"),
        ("status.podIP", "127.20.1.7"),
        ("status.podIPs", "127.20.1.7"),
        ("status.hostIP", "127.20.0.10"),
        ("status.hostIPs", "127.20.0.10"),
    ],
)
def test_field_refs(path: str, expected: str) -> None:
    assert field_value(path, make_pod({"name": "c"}), CONTEXT) == expected


def test_unsupported_field_path_is_a_config_error() -> None:
    with pytest.raises(ContainerConfigError, match=r"^unsupported fieldPath: spec\.hostname$"):
        field_value("spec.hostname", make_pod({"name": "c"}), CONTEXT)


def test_env_values_expand_against_what_is_defined_before_them() -> None:
    container = {
        "name": "c",
        "env": [
            {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
            {"name": "ADDR", "value": "$(POD_IP):8080"},
            {"name": "LATER_REF", "value": "$(DEFINED_LATER)"},
            {"name": "DEFINED_LATER", "value": "x"},
            {"name": "ESCAPED", "value": "$$(POD_IP)"},
            {"name": "FROM_CM", "value": "$(RETAIL_UI_ENDPOINTS_CATALOG)/x"},
        ],
        "envFrom": [{"configMapRef": {"name": "ui"}}],
    }
    env = build_environment(make_pod(container), container, CONTEXT)
    assert env["ADDR"] == "127.20.1.7:8080"
    assert env["LATER_REF"] == "$(DEFINED_LATER)"
    assert env["ESCAPED"] == "$(POD_IP)"
    assert env["FROM_CM"] == "http://catalog.catalog.svc:80/x"


def test_value_from_is_not_expanded_and_env_overrides_env_from() -> None:
    context = PodContext(
        node_name="n",
        host_ip="h",
        pod_ip="p",
        availability_zone="z",
        config_maps={"cm": {"A": "$(B)", "B": "from-cm"}},
    )
    container = {
        "name": "c",
        "envFrom": [{"configMapRef": {"name": "cm"}}],
        "env": [
            {"name": "B", "value": "from-env"},
            {"name": "C", "valueFrom": {"configMapKeyRef": {"name": "cm", "key": "A"}}},
        ],
    }
    env = build_environment(make_pod(container), container, context)
    assert env == {"A": "$(B)", "B": "from-env", "C": "$(B)"}


def test_env_from_prefix_and_invalid_names_skipped() -> None:
    context = PodContext(
        node_name="n",
        host_ip="h",
        pod_ip="p",
        availability_zone="z",
        config_maps={"cm": {"K": "v", "BAD=NAME": "x"}},
        secrets={"s": {"TOKEN": "t"}},
    )
    container = {
        "name": "c",
        "envFrom": [
            {"configMapRef": {"name": "cm"}, "prefix": "CM_"},
            {"secretRef": {"name": "s"}},
        ],
    }
    assert build_environment(make_pod(container), container, context) == {
        "CM_K": "v",
        "TOKEN": "t",
    }


@pytest.mark.parametrize(
    ("container", "message"),
    [
        ({"envFrom": [{"configMapRef": {"name": "nope"}}]}, 'configmap "nope" not found'),
        ({"envFrom": [{"secretRef": {"name": "nope"}}]}, 'secret "nope" not found'),
        (
            {"env": [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "ui", "key": "K"}}}]},
            "couldn't find key K in ConfigMap ui/ui",
        ),
        (
            {"env": [{"name": "X", "valueFrom": {"secretKeyRef": {"name": "db", "key": "K"}}}]},
            "couldn't find key K in Secret ui/db",
        ),
        (
            {"env": [{"name": "X", "valueFrom": {"secretKeyRef": {"name": "gone", "key": "K"}}}]},
            'secret "gone" not found',
        ),
    ],
)
def test_missing_sources_fail_with_the_kubelets_message(
    container: dict[str, Any], message: str
) -> None:
    container = {"name": "c", **container}
    with pytest.raises(ContainerConfigError) as caught:
        build_environment(make_pod(container), container, CONTEXT)
    assert str(caught.value) == message


def test_optional_sources_that_are_missing_are_skipped() -> None:
    container = {
        "name": "c",
        "envFrom": [{"configMapRef": {"name": "nope", "optional": True}}],
        "env": [
            {
                "name": "X",
                "valueFrom": {"configMapKeyRef": {"name": "ui", "key": "K", "optional": True}},
            },
            {
                "name": "Y",
                "valueFrom": {"secretKeyRef": {"name": "gone", "key": "K", "optional": True}},
            },
            {"name": "Z", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
        ],
    }
    assert build_environment(make_pod(container), container, CONTEXT) == {"Z": "s3cret"}


def test_service_env_is_underneath_and_usable_in_expansion() -> None:
    context = PodContext(
        node_name="n",
        host_ip="h",
        pod_ip="p",
        availability_zone="z",
        service_env={"KUBERNETES_SERVICE_HOST": "127.20.0.1", "X": "svc"},
    )
    container = {"name": "c", "env": [{"name": "X", "value": "$(KUBERNETES_SERVICE_HOST)"}]}
    assert build_environment(make_pod(container), container, context) == {
        "KUBERNETES_SERVICE_HOST": "127.20.0.1",
        "X": "127.20.0.1",
    }


def test_secret_data_is_decoded() -> None:
    secret = {"data": {"a": base64.b64encode(b"one").decode()}, "stringData": {"b": "two"}}
    assert decode_secret_data(secret) == {"a": "one", "b": "two"}
