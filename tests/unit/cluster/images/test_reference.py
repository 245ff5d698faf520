"""Image references normalize as containerd normalizes them."""

from __future__ import annotations

import pytest

from localnlb.cluster.images.reference import InvalidImageReference, parse_image_reference


@pytest.mark.parametrize(
    ("image", "repository", "normalized"),
    [
        ("busybox", "docker.io/library/busybox", "docker.io/library/busybox:latest"),
        ("busybox:1.36", "docker.io/library/busybox", "docker.io/library/busybox:1.36"),
        ("library/python:3.11", "docker.io/library/python", "docker.io/library/python:3.11"),
        ("localnlb/agnhost", "docker.io/localnlb/agnhost", "docker.io/localnlb/agnhost:latest"),
        (
            "public.ecr.aws/aws-containers/retail-store-sample-ui:1.2.1",
            "public.ecr.aws/aws-containers/retail-store-sample-ui",
            "public.ecr.aws/aws-containers/retail-store-sample-ui:1.2.1",
        ),
        (
            "registry.k8s.io/e2e-test-images/agnhost:2.47",
            "registry.k8s.io/e2e-test-images/agnhost",
            "registry.k8s.io/e2e-test-images/agnhost:2.47",
        ),
        ("localhost:5000/app:v1", "localhost:5000/app", "localhost:5000/app:v1"),
        ("localhost/app", "localhost/app", "localhost/app:latest"),
        (
            "alpine@sha256:" + "a" * 64,
            "docker.io/library/alpine",
            "docker.io/library/alpine@sha256:" + "a" * 64,
        ),
    ],
)
def test_normalizes_like_containerd(image: str, repository: str, normalized: str) -> None:
    reference = parse_image_reference(image)
    assert reference.repository == repository
    assert reference.normalized == normalized


@pytest.mark.parametrize("image", ["", "bad image", "busybox:", "/busybox", "a//b", "x@md5:00"])
def test_rejects_malformed_references(image: str) -> None:
    with pytest.raises(InvalidImageReference, match="invalid reference format"):
        parse_image_reference(image)


def test_upper_case_repository_is_rejected_with_the_runtime_message() -> None:
    with pytest.raises(InvalidImageReference) as caught:
        parse_image_reference("Busybox")
    assert str(caught.value) == (
        'couldn\'t parse image name "Busybox": invalid reference format: '
        "repository name (library/Busybox) must be lowercase"
    )
