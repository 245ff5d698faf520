"""kube-proxy's ClusterIPs on the kernel engine: the table of :mod:`.service_ip_rules_nft` loaded
with ``nft -f`` as one transaction on every change (the same interface as the user-space
:class:`~.service_ip_proxy.ServiceIpProxy`: start, apply, stop).

Open flows live in conntrack, so an update never cuts them; ``stop`` deletes the table, after
which nothing answers on the ClusterIPs. A kernel that refuses a transaction is logged and kept in
:attr:`ServiceIpKernelProxy.error`; the next change tries again.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from collections.abc import Iterable

from localnlb.cluster.kubeproxy.service_ip_rules_nft import render, table_name
from localnlb.cluster.kubeproxy.service_ips import ServiceIpRule

log = logging.getLogger(__name__)


def kernel_unavailable_reason() -> str | None:
    """Why ClusterIPs cannot be served by the kernel here, or None when they can."""
    if os.geteuid() != 0:
        return "the kernel engine needs root (nftables)"
    if shutil.which("nft") is None:
        return "the kernel engine needs nft: apt-get install nftables"
    return None


async def _nft(*argv: str, script: str | None = None) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        "nft",
        *argv,
        stdin=asyncio.subprocess.PIPE if script is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await process.communicate(script.encode() if script is not None else None)
    return process.returncode or 0, err.decode(errors="replace").strip()


class ServiceIpKernelProxy:
    def __init__(self, *, owner: str) -> None:
        self.table = table_name(owner)
        self.rules: dict[tuple[str, str, int], ServiceIpRule] = {}
        self.error: str | None = None
        self._chains: frozenset[str] = frozenset()
        self._sets: frozenset[str] = frozenset()
        self._lock = asyncio.Lock()
        self._running = False

    async def start(self) -> None:
        async with self._lock:
            self._running = True
            await self._load()

    async def apply(self, rules: Iterable[ServiceIpRule]) -> None:
        async with self._lock:
            self.rules = {rule.key: rule for rule in rules}
            if self._running:
                await self._load()

    async def stop(self, grace: float = 5.0) -> None:
        del grace  # conntrack carries open flows; nothing to drain in this process
        async with self._lock:
            self._running = False
            await _nft("delete", "table", "ip", self.table)
            self._chains, self._sets = frozenset(), frozenset()

    async def _load(self) -> None:
        ruleset = render(
            self.table,
            self.rules.values(),
            previous_chains=self._chains,
            previous_sets=self._sets,
        )
        code, err = await _nft("-f", "-", script=ruleset.script)
        if code != 0:
            if self.error != err:
                log.error("nft refused kube-proxy's ClusterIP table: %s", err)
            self.error = err
            return
        self.error = None
        self._chains, self._sets = ruleset.chains, ruleset.sets
