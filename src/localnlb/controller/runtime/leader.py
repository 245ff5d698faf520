"""Leader election on a ``coordination.k8s.io/v1`` Lease, as client-go's leaderelection does.

Only one controller replica reconciles at a time. A candidate takes the Lease when it is free
or its holder stopped renewing it for ``leaseDurationSeconds``; the holder renews it every
``retry_period`` and gives leadership up when it could not renew within ``renew_deadline``.
Writes carry the Lease's resourceVersion, so two candidates never both win. On a clean stop
the holder releases the Lease (empty holder, leaseDurationSeconds 1, as client-go's
ReleaseOnCancel does), so a successor takes over at once. The identity is stable per
installation (:func:`installation_identity`): a controller restarted after a crash finds its
own name on the unexpired Lease and leads again at once instead of waiting for it to expire.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from lightkube import ApiError, AsyncClient
from lightkube.resources.coordination_v1 import Lease

from localnlb.common.clock import Clock, SystemClock

log = logging.getLogger(__name__)

LEASE_NAME = "aws-load-balancer-controller-leader"


def installation_identity(hostname: str, state_dir: str) -> str:
    """``<hostname>_<hash of the state dir>``: the same for every run of one installation's
    controller, different for two installations on one machine (each has its own cluster, but
    ``--kubeconfig`` may point two at one)."""
    digest = hashlib.sha256(state_dir.encode()).hexdigest()[:12]
    return f"{hostname}_{digest}"


@dataclass(frozen=True, slots=True)
class LeaderSettings:
    identity: str
    namespace: str = "kube-system"
    name: str = LEASE_NAME
    lease_duration: float = 15.0
    renew_deadline: float = 10.0
    retry_period: float = 2.0


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _time(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


class LeaderElector:
    def __init__(
        self, client: AsyncClient, settings: LeaderSettings, *, clock: Clock | None = None
    ) -> None:
        self._client = client
        self.settings = settings
        self._clock = clock or SystemClock()
        self.is_leader = False

    def _lease(self, version: str | None, *, acquired: dt.datetime, transitions: int) -> Lease:
        s = self.settings
        metadata: dict[str, Any] = {"name": s.name, "namespace": s.namespace}
        if version is not None:
            metadata["resourceVersion"] = version
        lease: Lease = Lease.from_dict(  # type: ignore[assignment]
            {
                "metadata": metadata,
                "spec": {
                    "holderIdentity": s.identity,
                    "leaseDurationSeconds": max(1, round(s.lease_duration)),
                    "acquireTime": acquired.isoformat().replace("+00:00", "Z"),
                    "renewTime": _now().isoformat().replace("+00:00", "Z"),
                    "leaseTransitions": transitions,
                },
            }
        )
        return lease

    async def try_acquire_or_renew(self) -> bool:
        s = self.settings
        try:
            current = await self._client.get(Lease, s.name, namespace=s.namespace)
        except ApiError as error:
            if error.status.code != 404:
                raise
            try:
                await self._client.create(self._lease(None, acquired=_now(), transitions=0))
            except ApiError as conflict:
                if conflict.status.code == 409:
                    return False
                raise
            return True
        spec = current.spec
        holder = spec.holderIdentity if spec is not None else None
        renewed = _time(spec.renewTime) if spec is not None else None
        duration = (spec.leaseDurationSeconds if spec is not None else None) or s.lease_duration
        mine = holder == s.identity
        expired = renewed is None or _now() > renewed + dt.timedelta(seconds=duration)
        if not (mine or not holder or expired):
            return False
        transitions = (spec.leaseTransitions or 0) if spec is not None else 0
        acquired = (_time(spec.acquireTime) if spec is not None else None) or _now()
        if not mine:
            transitions, acquired = transitions + 1, _now()
        version = current.metadata.resourceVersion if current.metadata else None
        try:
            await self._client.replace(
                self._lease(version, acquired=acquired, transitions=transitions)
            )
        except ApiError as conflict:
            if conflict.status.code == 409:
                return False
            raise
        return True

    async def acquire(self) -> None:
        """Wait until this candidate leads."""
        while True:
            try:
                if await self.try_acquire_or_renew():
                    self.is_leader = True
                    log.info("became leader (lease %s)", self.settings.name)
                    return
            except (ApiError, OSError) as error:
                log.info("cannot take the lease yet: %s", error)
            await asyncio.sleep(self.settings.retry_period)

    async def keep(self) -> None:
        """Renew until leadership is lost; then return (the caller stops reconciling)."""
        last_renewal = self._clock.monotonic()
        while True:
            await asyncio.sleep(self.settings.retry_period)
            try:
                renewed = await self.try_acquire_or_renew()
            except Exception as error:  # the API is away: keep trying until the deadline
                log.info("lease renewal failed: %s", error)
                renewed = False
            now = self._clock.monotonic()
            if renewed:
                last_renewal = now
            elif now - last_renewal > self.settings.renew_deadline:
                self.is_leader = False
                log.warning("lost leadership (lease %s)", self.settings.name)
                return

    async def release(self) -> None:
        if not self.is_leader:
            return
        self.is_leader = False
        s = self.settings
        try:
            current = await self._client.get(Lease, s.name, namespace=s.namespace)
            if current.spec is None or current.spec.holderIdentity != s.identity:
                return
            current.spec.holderIdentity = None
            current.spec.leaseDurationSeconds = 1
            await self._client.replace(current)
        except Exception as error:  # the next candidate waits for expiry instead
            log.info("could not release the lease: %s", error)
