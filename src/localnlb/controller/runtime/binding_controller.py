"""The TargetGroupBinding controller: the shell around ``reconcile_binding``/``cleanup_binding``.

For a live binding: add the finalizer ``elbv2.k8s.aws/resources``, make the target group's
targets match the endpoints (deregister first), keep readiness gates in step, write
``status.observedGeneration``, record ``SuccessfullyReconciled`` when targets changed. A binding
being deleted (or whose Service/port is gone: ``BackendNotFound``) has all its targets
deregistered and its gated pods released before the finalizer goes. Works the same for bindings
the user made for target groups created outside the controller.

With ``multiClusterTargetGroup`` only targets this controller registered are ever deregistered;
that memory lives in the process (the real controller keeps it in a ConfigMap checkpoint).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from typing import Any

from lightkube import ApiError, AsyncClient
from lightkube.types import PatchType

from localnlb.controller.runtime.cache_view import CacheClusterView
from localnlb.controller.runtime.events import EventRecorder, ObjectRef
from localnlb.controller.runtime.informer import Informer
from localnlb.controller.runtime.kube_bindings import TargetGroupBinding
from localnlb.controller.runtime.kube_pods import KubePodConditions
from localnlb.controller.service import constants as c
from localnlb.controller.service.settings import ControllerSettings
from localnlb.controller.targetgroupbinding.errors import BackendNotFoundError, ResolveError
from localnlb.controller.targetgroupbinding.reconcile import (
    TargetsClient,
    cleanup_binding,
    reconcile_binding,
)
from localnlb.controller.targetgroupbinding.resolve import BindingRef, binding_from_object

log = logging.getLogger(__name__)


def vpc_membership(cidrs: Iterable[str]) -> Any:
    networks = [ipaddress.ip_network(c_, strict=False) for c_ in cidrs]

    def in_vpc(address: str) -> bool:
        ip = ipaddress.ip_address(address)
        return any(ip in network for network in networks)

    return in_vpc


class BindingController:
    def __init__(
        self,
        *,
        client: AsyncClient,
        bindings: Informer[dict[str, Any]],
        view: CacheClusterView,
        targets: TargetsClient,
        events: EventRecorder,
        settings: ControllerSettings,
        vpc_cidrs: Iterable[str],
    ) -> None:
        self._client = client
        self._bindings = bindings
        self._view = view
        self._targets = targets
        self._events = events
        self._settings = settings
        self._pods = KubePodConditions(client, view.raw_pod)
        self._in_vpc = vpc_membership(vpc_cidrs)
        self._owned: dict[str, set[str]] = {}  # multi-cluster: target keys we registered

    async def reconcile(self, key: str) -> float | None:
        raw = self._bindings.raw.get(key)
        if raw is None:
            return None
        metadata = raw.get("metadata") or {}
        ref = ObjectRef(
            "elbv2.k8s.aws/v1beta1",
            "TargetGroupBinding",
            str(metadata.get("namespace", "")),
            str(metadata["name"]),
            str(metadata.get("uid", "")),
        )
        finalizers = list(metadata.get("finalizers") or [])
        try:
            binding = binding_from_object(raw)
        except (ResolveError, ValueError, KeyError) as error:
            await self._warn(ref, c.EVENT_FAILED_RECONCILE, str(error))
            return None
        if metadata.get("deletionTimestamp"):
            if c.TARGET_GROUP_BINDING_FINALIZER in finalizers:
                await self._cleanup(binding)
                await self._set_finalizers(
                    ref, [f for f in finalizers if f != c.TARGET_GROUP_BINDING_FINALIZER], metadata
                )
            return None
        if c.TARGET_GROUP_BINDING_FINALIZER not in finalizers:
            await self._set_finalizers(
                ref, [*finalizers, c.TARGET_GROUP_BINDING_FINALIZER], metadata
            )
        owned = self._owned.setdefault(key, set())
        try:
            result = await reconcile_binding(
                binding,
                view=self._view,
                targets=self._targets,
                pods=self._pods,
                in_vpc=self._in_vpc,
                fail_open=self._settings.endpoints_fail_open,
                max_targets=self._settings.max_targets_per_target_group,
                owned_keys=frozenset(owned),
            )
        except BackendNotFoundError as error:
            await self._warn(ref, c.EVENT_BACKEND_NOT_FOUND, str(error))
            await self._cleanup(binding)
            return None
        except ResolveError as error:
            await self._warn(ref, c.EVENT_FAILED_RECONCILE, str(error))
            return None
        owned.update(t.key for t in result.registered)
        owned.difference_update(t.key for t in result.deregistered)
        if result.registered or result.deregistered:
            log.info(
                "binding %s: registered %s, deregistered %s",
                key,
                [t.key for t in result.registered],
                [t.key for t in result.deregistered],
            )
            await self._events.record(
                ref,
                event_type=c.EVENT_TYPE_NORMAL,
                reason=c.EVENT_SUCCESSFULLY_RECONCILED,
                message=c.MESSAGE_SUCCESSFULLY_RECONCILED,
            )
        await self._observe_generation(ref, raw)
        return result.requeue_after

    async def _cleanup(self, binding: BindingRef) -> None:
        key = f"{binding.namespace}/{binding.name}"
        owned = frozenset(self._owned.get(key, set()))
        await cleanup_binding(
            binding, view=self._view, targets=self._targets, pods=self._pods, owned_keys=owned
        )
        self._owned.pop(key, None)

    async def _set_finalizers(
        self, ref: ObjectRef, finalizers: list[str], metadata: dict[str, Any]
    ) -> None:
        try:
            await self._client.patch(
                TargetGroupBinding,
                ref.name,
                {
                    "metadata": {
                        "finalizers": finalizers or None,
                        "resourceVersion": metadata.get("resourceVersion"),
                    }
                },
                namespace=ref.namespace,
                patch_type=PatchType.MERGE,
            )
        except ApiError as error:
            if error.status.code != 404:
                raise

    async def _observe_generation(self, ref: ObjectRef, raw: dict[str, Any]) -> None:
        generation = (raw.get("metadata") or {}).get("generation")
        if generation is None or (raw.get("status") or {}).get("observedGeneration") == generation:
            return
        try:
            await self._client.patch(
                TargetGroupBinding.Status,
                ref.name,
                {"status": {"observedGeneration": generation}},
                namespace=ref.namespace,
                patch_type=PatchType.MERGE,
            )
        except ApiError as error:
            log.info("could not update status of %s/%s: %s", ref.namespace, ref.name, error)

    async def _warn(self, ref: ObjectRef, reason: str, message: str) -> None:
        await self._events.record(
            ref, event_type=c.EVENT_TYPE_WARNING, reason=reason, message=message
        )
