"""The image registry: which image references localnlb can "pull", and what running them means.

There is no container runtime here. An image is either a built-in app (a Python module of this
package, started as ``python -m localnlb.cluster.images.<app>``) or a plain base image (busybox,
alpine, python, ...) whose command runs as a process on the host. Any other reference fails to
pull, as it would on a node that cannot reach the image: the kubelet reports ``ErrImagePull`` with
the message built here, then ``ImagePullBackOff``. Pure.
"""

from __future__ import annotations

import enum
import hashlib
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

from localnlb import __version__
from localnlb.cluster.images.reference import ImageReference


class ImageKind(enum.Enum):
    APP = "app"  # a built-in program of localnlb
    HOST = "host"  # a base image: the container's command runs on the host


@dataclass(frozen=True, slots=True)
class BuiltinImage:
    name: str
    repositories: tuple[str, ...]
    kind: ImageKind
    description: str
    module: str | None = None
    # command[0] spellings that mean "the image's own program" (``/agnhost netexec ...``).
    binaries: tuple[str, ...] = ()
    # the image's CMD: what runs when the pod gives neither command nor args.
    default_args: tuple[str, ...] = ()


BUILTIN_IMAGES: tuple[BuiltinImage, ...] = (
    BuiltinImage(
        name="ui",
        repositories=(
            "public.ecr.aws/aws-containers/retail-store-sample-ui",
            "docker.io/localnlb/ui",
        ),
        kind=ImageKind.APP,
        module="localnlb.cluster.images.ui",
        description="the EKS Workshop's retail store ui: /home, /actuator/health/*, "
        "/actuator/prometheus on port 8080",
    ),
    BuiltinImage(
        name="agnhost",
        repositories=(
            "registry.k8s.io/e2e-test-images/agnhost",
            "k8s.gcr.io/e2e-test-images/agnhost",
            "docker.io/localnlb/agnhost",
        ),
        kind=ImageKind.APP,
        module="localnlb.cluster.images.agnhost",
        binaries=("/agnhost", "agnhost"),
        default_args=("pause",),
        description="Kubernetes' e2e test image: netexec, serve-hostname, pause",
    ),
    BuiltinImage(
        name="mysql",
        repositories=(
            "public.ecr.aws/docker/library/mysql",
            "docker.io/library/mysql",
            "docker.io/localnlb/mysql",
        ),
        kind=ImageKind.APP,
        module="localnlb.cluster.images.mysql",
        binaries=("mysqld",),
        description="a mysql:8.0 stand-in: the MySQL protocol on port 3306, each database a "
        "SQLite file in /var/lib/mysql (MYSQL_ROOT_PASSWORD, MYSQL_DATABASE, MYSQL_USER, ...)",
    ),
    BuiltinImage(
        name="busybox",
        repositories=("docker.io/library/busybox",),
        kind=ImageKind.HOST,
        default_args=("sh",),
        description="runs the container's command on the host",
    ),
    BuiltinImage(
        name="alpine",
        repositories=("docker.io/library/alpine",),
        kind=ImageKind.HOST,
        default_args=("/bin/sh",),
        description="runs the container's command on the host",
    ),
    BuiltinImage(
        name="ubuntu/debian",
        repositories=("docker.io/library/ubuntu", "docker.io/library/debian"),
        kind=ImageKind.HOST,
        default_args=("bash",),
        description="runs the container's command on the host",
    ),
    BuiltinImage(
        name="python",
        repositories=("docker.io/library/python",),
        kind=ImageKind.HOST,
        default_args=("python3",),
        binaries=("python", "python3"),
        description="runs the container's command on the host; python/python3 is the "
        "interpreter localnlb runs on",
    ),
)


def find_image(reference: ImageReference) -> BuiltinImage | None:
    for image in BUILTIN_IMAGES:
        if reference.repository in image.repositories:
            return image
    return None


def builtin_image_names() -> list[str]:
    return [repo for image in BUILTIN_IMAGES for repo in image.repositories]


def pull_error_message(image: str, reference: ImageReference) -> str:
    """What the kubelet says when containerd cannot find an image, plus why, for localnlb."""
    full = reference.normalized
    return (
        f'Failed to pull image "{image}": rpc error: code = NotFound desc = failed to pull and '
        f'unpack image "{full}": failed to resolve reference "{full}": {full}: not found '
        f"(localnlb runs built-in images only: {', '.join(builtin_image_names())}; "
        "see docs/images.md)"
    )


def image_id(reference: ImageReference) -> str:
    """A stable ``repo@sha256:...`` id: the same reference on the same localnlb, same id."""
    digest = reference.digest or (
        "sha256:" + hashlib.sha256(f"{reference.normalized}|{__version__}".encode()).hexdigest()
    )
    return f"{reference.repository}@{digest}"


def container_argv(
    image: BuiltinImage,
    *,
    command: Sequence[str] | None,
    args: Sequence[str] | None,
    python_executable: str,
) -> list[str]:
    """Kubernetes' rule: ``command`` replaces the ENTRYPOINT, ``args`` replaces the CMD.

    A built-in app's ENTRYPOINT is ``python -m <module>``; a command naming the app's binary
    (``/agnhost``) means that entrypoint too. Anything else runs as given, on the host.
    """
    entrypoint: list[str] = [python_executable, "-m", image.module] if image.module else []
    if command:
        first, rest = command[0], list(command[1:])
        if first in image.binaries or posixpath.basename(first) in image.binaries:
            head = entrypoint or [python_executable]
            return [*head, *rest, *(args or [])]
        return [*command, *(args or [])]
    if args:
        return [*entrypoint, *args]
    defaults = list(image.default_args)
    if not image.module and defaults and defaults[0] in image.binaries:
        defaults[0] = python_executable
    return [*entrypoint, *defaults]
