"""Which images localnlb can run, and what running them executes."""

from __future__ import annotations

import pytest

from localnlb.cluster.images.reference import parse_image_reference
from localnlb.cluster.images.registry import (
    BUILTIN_IMAGES,
    ImageKind,
    container_argv,
    find_image,
    image_id,
    pull_error_message,
)

PY = "/venv/bin/python"


def _image(ref: str):  # type: ignore[no-untyped-def]
    found = find_image(parse_image_reference(ref))
    assert found is not None, ref
    return found


@pytest.mark.parametrize(
    ("ref", "name"),
    [
        ("public.ecr.aws/aws-containers/retail-store-sample-ui:1.2.1", "ui"),
        ("public.ecr.aws/aws-containers/retail-store-sample-ui:0.4.0", "ui"),
        ("localnlb/ui", "ui"),
        ("registry.k8s.io/e2e-test-images/agnhost:2.47", "agnhost"),
        ("localnlb/agnhost:latest", "agnhost"),
        ("busybox:1.36", "busybox"),
        ("docker.io/library/busybox", "busybox"),
        ("python:3.11-slim", "python"),
        ("alpine", "alpine"),
    ],
)
def test_any_tag_of_a_builtin_repository_maps_to_it(ref: str, name: str) -> None:
    assert _image(ref).name == name


def test_unknown_image_is_not_found() -> None:
    assert find_image(parse_image_reference("nginx:1.25")) is None


def test_pull_error_reads_like_containerd_and_lists_the_builtin_images() -> None:
    message = pull_error_message("nginx:1.25", parse_image_reference("nginx:1.25"))
    assert message.startswith(
        'Failed to pull image "nginx:1.25": rpc error: code = NotFound desc = failed to pull and '
        'unpack image "docker.io/library/nginx:1.25": failed to resolve reference '
        '"docker.io/library/nginx:1.25": docker.io/library/nginx:1.25: not found'
    )
    assert "localnlb runs built-in images only" in message
    assert "public.ecr.aws/aws-containers/retail-store-sample-ui" in message


def test_image_id_is_stable_per_reference_and_differs_between_tags() -> None:
    a = image_id(parse_image_reference("busybox:1.36"))
    assert a == image_id(parse_image_reference("docker.io/library/busybox:1.36"))
    assert a != image_id(parse_image_reference("busybox:1.35"))
    assert a.startswith("docker.io/library/busybox@sha256:")
    digest = "sha256:" + "b" * 64
    assert (
        image_id(parse_image_reference(f"alpine@{digest}")) == f"docker.io/library/alpine@{digest}"
    )


def test_app_image_runs_its_module_and_args_replace_the_cmd() -> None:
    ui = _image("localnlb/ui")
    assert container_argv(ui, command=None, args=None, python_executable=PY) == [
        PY,
        "-m",
        "localnlb.cluster.images.ui",
    ]
    agnhost = _image("localnlb/agnhost")
    assert container_argv(agnhost, command=None, args=None, python_executable=PY) == [
        PY,
        "-m",
        "localnlb.cluster.images.agnhost",
        "pause",
    ]
    assert container_argv(
        agnhost, command=None, args=["netexec", "--http-port=8080"], python_executable=PY
    ) == [PY, "-m", "localnlb.cluster.images.agnhost", "netexec", "--http-port=8080"]


def test_a_command_naming_the_apps_binary_means_its_entrypoint() -> None:
    agnhost = _image("localnlb/agnhost")
    argv = container_argv(
        agnhost, command=["/agnhost", "netexec"], args=["--http-port=80"], python_executable=PY
    )
    assert argv == [PY, "-m", "localnlb.cluster.images.agnhost", "netexec", "--http-port=80"]


def test_any_other_command_runs_as_given_on_the_host() -> None:
    agnhost = _image("localnlb/agnhost")
    assert container_argv(
        agnhost, command=["sh", "-c", "true"], args=None, python_executable=PY
    ) == [
        "sh",
        "-c",
        "true",
    ]
    busybox = _image("busybox")
    assert container_argv(busybox, command=["sleep"], args=["5"], python_executable=PY) == [
        "sleep",
        "5",
    ]
    assert container_argv(busybox, command=None, args=None, python_executable=PY) == ["sh"]
    assert container_argv(busybox, command=None, args=["echo", "hi"], python_executable=PY) == [
        "echo",
        "hi",
    ]


def test_python_image_runs_localnlbs_interpreter() -> None:
    python = _image("python:3.11")
    assert container_argv(
        python, command=["python", "-c", "print(1)"], args=None, python_executable=PY
    ) == [PY, "-c", "print(1)"]
    assert container_argv(python, command=None, args=None, python_executable=PY) == [PY]


def test_catalog_is_consistent() -> None:
    repositories = [repo for image in BUILTIN_IMAGES for repo in image.repositories]
    assert len(repositories) == len(set(repositories))
    for image in BUILTIN_IMAGES:
        assert (image.module is not None) == (image.kind is ImageKind.APP)
