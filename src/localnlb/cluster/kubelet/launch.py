"""Pod spec + context → what to exec for one container: argv, environment, working dir, ports.

Two steps, as on a real node, because they fail differently: :func:`pull_image` resolves the
image against localnlb's built-in images (failure: ``ErrImagePull`` / ``InvalidImageName``), and
:func:`build_launch_spec` builds the process (failure: ``CreateContainerConfigError``). Command
and args are ``$(VAR)``-expanded against the container's Kubernetes-defined variables. Each
process also gets ``HOSTNAME`` (the pod's name, as a runtime sets it) and ``LOCALNLB_POD_IP``,
``LOCALNLB_NODE_NAME``, ``LOCALNLB_AVAILABILITY_ZONE`` for the built-in apps. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from localnlb.cluster.images.reference import InvalidImageReference, parse_image_reference
from localnlb.cluster.images.registry import (
    BuiltinImage,
    container_argv,
    find_image,
    image_id,
    pull_error_message,
)
from localnlb.cluster.images.serving import NODE_VARIABLE, POD_IP_VARIABLE, ZONE_VARIABLE
from localnlb.cluster.kubelet.environment import PodContext, build_environment
from localnlb.cluster.kubelet.expansion import expand_all
from localnlb.cluster.kubelet.mounts import BindMount
from localnlb.cluster.kubelet.podspec import JsonObject, PortSpec, read_ports


class ImagePullError(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True, slots=True)
class PulledImage:
    image: str  # as the pod spells it
    image_id: str
    builtin: BuiltinImage


@dataclass(frozen=True, slots=True)
class LaunchSpec:
    container_name: str
    image: PulledImage
    argv: tuple[str, ...]
    env: Mapping[str, str]
    working_dir: str
    ports: tuple[PortSpec, ...]
    # what the process sees mounted where, in order (volumes, resolv.conf, ...): see .mounts
    mounts: tuple[BindMount, ...] = ()


def pull_image(image: str) -> PulledImage:
    """Find ``image`` among the built-in images, or fail as the kubelet reports a failed pull."""
    try:
        reference = parse_image_reference(image)
    except InvalidImageReference as exc:
        raise ImagePullError(
            "InvalidImageName", f'Failed to apply default image tag "{image}": {exc}'
        ) from exc
    builtin = find_image(reference)
    if builtin is None:
        raise ImagePullError("ErrImagePull", pull_error_message(image, reference))
    return PulledImage(image=image, image_id=image_id(reference), builtin=builtin)


def build_launch_spec(
    pod: JsonObject,
    container: JsonObject,
    image: PulledImage,
    context: PodContext,
    *,
    python_executable: str,
    host_env: Mapping[str, str],
    default_working_dir: str,
    mounts: Sequence[BindMount] = (),
) -> LaunchSpec:
    """Raises ``ContainerConfigError`` when a referenced ConfigMap/Secret/key is missing."""
    defined = build_environment(pod, container, context)
    command = container.get("command")
    args = container.get("args")
    argv = container_argv(
        image.builtin,
        command=expand_all(command, defined) if command else None,
        args=expand_all(args, defined) if args else None,
        python_executable=python_executable,
    )
    env = {
        **host_env,
        "HOSTNAME": pod.get("spec", {}).get("hostname") or pod.get("metadata", {}).get("name", ""),
        POD_IP_VARIABLE: context.pod_ip,
        NODE_VARIABLE: context.node_name,
        ZONE_VARIABLE: context.availability_zone,
        **defined,
    }
    return LaunchSpec(
        container_name=container.get("name", ""),
        image=image,
        argv=tuple(argv),
        env=env,
        working_dir=container.get("workingDir") or default_working_dir,
        ports=read_ports(container),
        mounts=tuple(mounts),
    )
