"""Pod spec + context → the process to exec, and image pulls that fail as on a real node."""

from __future__ import annotations

from typing import Any

import pytest

from localnlb.cluster.kubelet.environment import PodContext
from localnlb.cluster.kubelet.launch import (
    ImagePullError,
    LaunchSpec,
    build_launch_spec,
    pull_image,
)
from localnlb.cluster.kubelet.podspec import PortSpec

PY = "/venv/bin/python"
CONTEXT = PodContext(
    node_name="node-a", host_ip="127.20.0.10", pod_ip="127.20.1.7", availability_zone="us-west-2a"
)


def launch(container: dict[str, Any]) -> LaunchSpec:
    pod = {
        "metadata": {"name": "web-1", "namespace": "default", "uid": "u-1"},
        "spec": {"nodeName": "node-a", "containers": [container]},
    }
    return build_launch_spec(
        pod,
        container,
        pull_image(container["image"]),
        CONTEXT,
        python_executable=PY,
        host_env={"PATH": "/usr/bin:/bin", "HOSTNAME": "host-machine"},
        default_working_dir="/tmp/pods/default_web-1_u-1",
    )


def test_ui_image_runs_the_builtin_app_with_pod_identity_in_env() -> None:
    spec = launch(
        {
            "name": "ui",
            "image": "public.ecr.aws/aws-containers/retail-store-sample-ui:1.2.1",
            "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
        }
    )
    assert spec.argv == (PY, "-m", "localnlb.cluster.images.ui")
    assert spec.env["HOSTNAME"] == "web-1"  # the runtime's, not the host's
    assert spec.env["LOCALNLB_POD_IP"] == "127.20.1.7"
    assert spec.env["LOCALNLB_NODE_NAME"] == "node-a"
    assert spec.env["LOCALNLB_AVAILABILITY_ZONE"] == "us-west-2a"
    assert spec.env["PATH"] == "/usr/bin:/bin"
    assert spec.working_dir == "/tmp/pods/default_web-1_u-1"
    assert spec.ports == (PortSpec(name="http", container_port=8080, protocol="TCP"),)
    assert spec.image.image_id.startswith(
        "public.ecr.aws/aws-containers/retail-store-sample-ui@sha256:"
    )


def test_command_and_args_expand_pod_ip_from_the_downward_api() -> None:
    spec = launch(
        {
            "name": "srv",
            "image": "python:3.11",
            "command": ["python", "-m", "http.server"],
            "args": ["--bind", "$(POD_IP)", "$(PORT)", "$$(POD_IP)", "$(UNDEFINED)"],
            "env": [
                {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                {"name": "PORT", "value": "9000"},
            ],
            "workingDir": "/srv",
        }
    )
    assert spec.argv == (
        PY,
        "-m",
        "http.server",
        "--bind",
        "127.20.1.7",
        "9000",
        "$(POD_IP)",
        "$(UNDEFINED)",
    )
    assert spec.working_dir == "/srv"
    assert spec.env["POD_IP"] == "127.20.1.7"


def test_expansion_uses_only_kubernetes_variables_not_the_hosts() -> None:
    spec = launch({"name": "c", "image": "busybox", "command": ["echo", "$(PATH)"]})
    assert spec.argv == ("echo", "$(PATH)")


def test_container_env_may_override_what_the_runtime_sets() -> None:
    spec = launch({"name": "c", "image": "busybox", "env": [{"name": "HOSTNAME", "value": "x"}]})
    assert spec.env["HOSTNAME"] == "x"


def test_agnhost_netexec_args() -> None:
    spec = launch(
        {
            "name": "agnhost",
            "image": "registry.k8s.io/e2e-test-images/agnhost:2.47",
            "args": ["netexec", "--http-port=8080", "--udp-port=8081"],
        }
    )
    assert spec.argv == (
        PY,
        "-m",
        "localnlb.cluster.images.agnhost",
        "netexec",
        "--http-port=8080",
        "--udp-port=8081",
    )


def test_unknown_image_fails_to_pull_as_err_image_pull() -> None:
    with pytest.raises(ImagePullError) as caught:
        pull_image("nginx:1.25")
    assert caught.value.reason == "ErrImagePull"
    assert caught.value.message.startswith('Failed to pull image "nginx:1.25": ')
    assert "not found" in caught.value.message


def test_malformed_image_is_invalid_image_name() -> None:
    with pytest.raises(ImagePullError) as caught:
        pull_image("Nginx")
    assert caught.value.reason == "InvalidImageName"
    assert caught.value.message.startswith('Failed to apply default image tag "Nginx": ')


def test_hostname_is_the_pods_spec_hostname_when_set() -> None:
    container = {"name": "c", "image": "busybox"}
    pod = {
        "metadata": {"name": "web-1", "namespace": "default", "uid": "u-1"},
        "spec": {"hostname": "custom", "containers": [container]},
    }
    spec = build_launch_spec(
        pod,
        container,
        pull_image("busybox"),
        CONTEXT,
        python_executable=PY,
        host_env={},
        default_working_dir="/",
    )
    assert spec.env["HOSTNAME"] == "custom"
