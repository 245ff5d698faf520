"""Issue 12 finding 1: every worker process picks the same target for one sticky client.

The LB node workers are started with ``spawn``, so each is a fresh interpreter (with its own
string-hash seed). A choice that must agree across workers, such as ``source_ip`` stickiness,
must therefore come from a hash that does not depend on the process.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from localnlb.dataplane.flowhash import TCP, choose, flow_key
from localnlb.dataplane.routing import compile_routing
from localnlb.dataplane.service import DataPlane
from localnlb.dataplane.settings import DataPlaneSettings
from tests.component.dataplane.backends import NameBackend
from tests.component.dataplane.client import LineClient
from tests.component.dataplane.conftest import free_port
from tests.unit.dataplane.builders import ZONES, load_balancer, snapshot, target, target_group

NODE = "127.9.0.100"
PORT = 80
WORKERS = 6
StartBackend = Callable[..., Awaitable[NameBackend]]


def sticky_choice(client: tuple[str, int]) -> str:
    """In a spawned process: the target a worker's LB node picks for ``client`` (the key and
    the choice :mod:`localnlb.dataplane.policies` makes for a new flow)."""
    group = target_group(
        *(target(f"127.9.1.{i}", 8080, ZONES[0]) for i in range(1, 7)), stickiness=True
    )
    table = compile_routing(snapshot(1, load_balancer({ZONES[0]: NODE}, port=PORT), group))
    plan = table.plans[(NODE, PORT, "tcp")]
    assert plan.target_group is not None
    assert plan.target_group.stickiness
    key = flow_key(protocol=TCP, client=client, listener=(NODE, PORT), sticky=True)
    chosen = choose(plan.candidates, key)
    assert chosen is not None
    return chosen.address


@pytest.mark.timeout(60)
def test_spawned_workers_choose_one_target_for_a_sticky_client() -> None:
    context = multiprocessing.get_context("spawn")  # as dataplane/workers.py starts them
    clients = [("127.0.0.1", 40000 + i) for i in range(WORKERS)]  # one address, many ports
    with context.Pool(WORKERS) as pool:
        choices = pool.map(sticky_choice, clients, chunksize=1)
    assert len(set(choices)) == 1, f"workers disagree for one sticky client: {choices}"


@pytest.mark.timeout(60)
async def test_sticky_clients_keep_one_target_through_lb_node_worker_processes(
    backends: StartBackend, vpc: int, tmp_path: Path
) -> None:
    """End to end on the topology ``localnlb up`` runs with the user engine: two spawned workers
    share the listener with SO_REUSEPORT, which spreads one client's connections over both (by
    their ports). Each client address must still reach one target, whichever worker accepts."""
    node = f"127.{vpc}.0.100"
    started = [await backends(f"b{i}", f"127.{vpc}.1.{i + 1}") for i in range(3)]
    group = target_group(*(target(b.address, b.port) for b in started), stickiness=True)
    port = free_port(node)
    plane = DataPlane(
        DataPlaneSettings(workers=2, engine="user", hosts_path=None, hosts_owner=str(tmp_path))
    )
    try:
        await plane.start()
        await plane.apply(snapshot(1, load_balancer({ZONES[0]: node}, port=port), group))
        reached: dict[str, set[str]] = {}
        for last in range(1, 5):
            client_ip = f"127.{vpc}.200.{last}"
            for _ in range(12):
                client = await LineClient.connect(node, port, source=client_ip)
                reached.setdefault(client_ip, set()).add(await client.name())
                client.close()
    finally:
        await plane.stop(grace=0.0)
    assert all(len(names) == 1 for names in reached.values()), reached
