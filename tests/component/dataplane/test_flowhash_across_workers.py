"""Issue 12 finding 1: every worker process picks the same target for one sticky client.

The LB node workers are started with ``spawn``, so each is a fresh interpreter (with its own
string-hash seed). A choice that must agree across workers, such as ``source_ip`` stickiness,
must therefore come from a hash that does not depend on the process.
"""

from __future__ import annotations

import multiprocessing

import pytest

from localnlb.dataplane.flowhash import TCP, choose, flow_key
from localnlb.dataplane.routing import compile_routing
from tests.unit.dataplane.builders import ZONES, load_balancer, snapshot, target, target_group

NODE = "127.9.0.100"
PORT = 80
WORKERS = 6


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
