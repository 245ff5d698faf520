"""TargetGroupBindings in the Kubernetes API: the resource, its CRD, and the deployer's
``TargetGroupBindingClient`` seam.

The CRD (``crds/targetgroupbindings.yaml``) is created at start when the cluster lacks it. The
bindings of a stack carry the labels ``service.k8s.aws/stack-namespace`` and
``service.k8s.aws/stack-name``; they are listed live (not from the cache) so a binding just
created is never created twice. Deleting one waits up to 60 s for it to disappear, i.e. for the
binding controller to deregister its targets and drop the finalizer (PostSynthesize order).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from importlib import resources
from typing import Any

import yaml
from lightkube import ApiError, AsyncClient
from lightkube.generic_resource import create_namespaced_resource
from lightkube.resources.apiextensions_v1 import CustomResourceDefinition
from lightkube.types import PatchType

from localnlb.controller.deploy.actual import ActualTargetGroupBinding
from localnlb.controller.model.resources import NetworkingIngressRule, TargetGroupBindingSpec

TargetGroupBinding = create_namespaced_resource(
    "elbv2.k8s.aws", "v1beta1", "TargetGroupBinding", "targetgroupbindings"
)
CRD_NAME = "targetgroupbindings.elbv2.k8s.aws"
DELETE_WAIT_SECONDS = 60.0
OPTIONAL_SPEC_FIELDS = ("networking", "nodeSelector", "multiClusterTargetGroup")


def crd_manifest() -> dict[str, Any]:
    text = resources.files("localnlb.controller.crds").joinpath("targetgroupbindings.yaml")
    manifest: dict[str, Any] = yaml.safe_load(text.read_text())
    return manifest


async def ensure_crd(client: AsyncClient) -> bool:
    """Create the TargetGroupBinding CRD if missing; True if it was created."""
    try:
        await client.get(CustomResourceDefinition, CRD_NAME)
        return False
    except ApiError as error:
        if error.status.code != 404:
            raise
    try:
        crd: CustomResourceDefinition = CustomResourceDefinition.from_dict(crd_manifest())  # type: ignore[assignment]
        await client.create(crd)
    except ApiError as error:
        if error.status.code != 409:
            raise
    return True


def _networking(rules: tuple[NetworkingIngressRule, ...]) -> dict[str, Any] | None:
    ingress = []
    for rule in rules:
        peers: list[dict[str, Any]] = []
        for peer in rule.from_:
            if peer.ip_block is not None:
                peers.append({"ipBlock": {"cidr": peer.ip_block.cidr}})
            elif peer.security_group is not None and isinstance(peer.security_group.group_id, str):
                peers.append({"securityGroup": {"groupID": peer.security_group.group_id}})
        ports = []
        for port in rule.ports:
            entry: dict[str, Any] = {"protocol": port.protocol}
            if port.port is not None:
                entry["port"] = port.port
            ports.append(entry)
        if peers:
            ingress.append({"from": peers, "ports": ports})
    return {"ingress": ingress} if ingress else None


def binding_spec_object(spec: TargetGroupBindingSpec, *, target_group_arn: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "targetGroupARN": target_group_arn,
        "targetType": str(spec.target_type),
        "serviceRef": {"name": spec.service_ref.name, "port": spec.service_ref.port},
        "ipAddressType": str(spec.ip_address_type),
        "vpcID": spec.vpc_id,
    }
    networking = _networking(spec.networking)
    if networking is not None:
        body["networking"] = networking
    if spec.node_selector:
        body["nodeSelector"] = {"matchLabels": dict(spec.node_selector)}
    if spec.multi_cluster_target_group:
        body["multiClusterTargetGroup"] = True
    return body


def _actual(obj: Mapping[str, Any]) -> ActualTargetGroupBinding:
    metadata = obj.get("metadata") or {}
    return ActualTargetGroupBinding(
        name=str(metadata["name"]),
        namespace=str(metadata.get("namespace", "")),
        target_group_arn=str((obj.get("spec") or {}).get("targetGroupARN", "")),
    )


class KubeBindingClient:
    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def list_bindings(
        self, namespace: str, labels: Mapping[str, str]
    ) -> list[ActualTargetGroupBinding]:
        return [
            _actual(dict(obj))
            async for obj in self._client.list(
                TargetGroupBinding, namespace=namespace, labels=dict(labels)
            )
        ]

    async def apply_binding(
        self, spec: TargetGroupBindingSpec, *, target_group_arn: str, labels: Mapping[str, str]
    ) -> None:
        body = binding_spec_object(spec, target_group_arn=target_group_arn)
        try:
            current = dict(
                await self._client.get(TargetGroupBinding, spec.name, namespace=spec.namespace)
            )
        except ApiError as error:
            if error.status.code != 404:
                raise
            obj = {
                "apiVersion": "elbv2.k8s.aws/v1beta1",
                "kind": "TargetGroupBinding",
                "metadata": {
                    "name": spec.name,
                    "namespace": spec.namespace,
                    "labels": dict(labels),
                },
                "spec": body,
            }
            await self._client.create(TargetGroupBinding.from_dict(obj))
            return
        have_labels = (current.get("metadata") or {}).get("labels") or {}
        have_spec = current.get("spec") or {}
        # Optional fields the stack no longer sets are removed (null in a merge patch), as the
        # real controller's full update drops them (omitempty).
        dropped = {k: None for k in OPTIONAL_SPEC_FIELDS if k in have_spec and k not in body}
        unchanged = {**have_spec, **body} == have_spec and not dropped
        if unchanged and dict(labels).items() <= have_labels.items():
            return
        await self._client.patch(
            TargetGroupBinding,
            spec.name,
            {"metadata": {"labels": dict(labels)}, "spec": {**body, **dropped}},
            namespace=spec.namespace,
            patch_type=PatchType.MERGE,
        )

    async def delete_binding(self, namespace: str, name: str) -> None:
        try:
            await self._client.delete(TargetGroupBinding, name, namespace=namespace)
        except ApiError as error:
            if error.status.code == 404:
                return
            raise
        deadline = asyncio.get_running_loop().time() + DELETE_WAIT_SECONDS
        delay = 0.05
        while asyncio.get_running_loop().time() < deadline:
            try:
                await self._client.get(TargetGroupBinding, name, namespace=namespace)
            except ApiError as error:
                if error.status.code == 404:
                    return
                raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)
        # As the real controller: carry on; the binding controller finishes on its own.
