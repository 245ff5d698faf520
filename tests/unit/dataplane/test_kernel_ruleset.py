"""The kernel engine's pure parts: the nft script a routing table renders to, and conntrack
parsing. Whether the kernel then forwards as the script says is tests/component/dataplane
(every behaviour test runs on both engines)."""

from __future__ import annotations

import dataclasses
from typing import Any

from localnlb.dataplane.flowhash import SEED
from localnlb.dataplane.kernel.netfilter import parse_conntrack
from localnlb.dataplane.kernel.ruleset import (
    LEAVES_FROM_NODE,
    OURS,
    kernel_can_serve,
    pin_mark,
    render,
)
from localnlb.dataplane.routing import RoutingTable, compile_routing
from tests.unit.dataplane.builders import ZONES, load_balancer, snapshot, target, target_group

NODE_A, NODE_B = "127.9.0.100", "127.9.16.100"


def _two_zone_table(**group_attributes: Any) -> RoutingTable:
    group = target_group(
        target("127.9.1.1", 8080, ZONES[0]),
        target("127.9.17.1", 8080, ZONES[1]),
        target("127.9.1.2", 8080, ZONES[0], state="draining"),
        **group_attributes,
    )
    lb = load_balancer({ZONES[0]: NODE_A, ZONES[1]: NODE_B}, port=80)
    return compile_routing(snapshot(1, lb, group))


def test_each_node_dnats_only_to_its_own_zones_targets_in_service() -> None:
    ruleset = render(_two_zone_table(), name="t")
    assert f"{NODE_A} . tcp . 80 : goto l_" in ruleset.script
    assert f"{NODE_B} . tcp . 80 : goto l_" in ruleset.script
    targets = sorted(pin.key[2] for pin in ruleset.pins.values())
    assert targets == [("127.9.1.1", 8080), ("127.9.17.1", 8080)]  # the draining one gets none
    by_node = {pin.key[0][0]: pin.key[2] for pin in ruleset.pins.values()}
    assert by_node == {NODE_A: ("127.9.1.1", 8080), NODE_B: ("127.9.17.1", 8080)}
    assert "dnat ip to 127.9.1.2:8080" not in ruleset.script


def test_tcp_flows_hash_on_the_sequence_number_and_sticky_groups_on_the_source_only() -> None:
    plain = render(_two_zone_table(), name="t")
    assert (
        f"jhash ip saddr . tcp sport . ip daddr . tcp dport . tcp sequence mod 1 seed 0x{SEED:08x}"
        in plain.script
    )
    sticky = render(_two_zone_table(stickiness=True), name="t")
    assert "jhash ip saddr mod 1" in sticky.script


def test_marks_say_whether_the_target_sees_the_node_address() -> None:
    hidden = render(_two_zone_table(preserve_client_ip=False), name="t")
    shown = render(_two_zone_table(preserve_client_ip=True), name="t")
    assert all(mark & (OURS | LEAVES_FROM_NODE) == OURS | LEAVES_FROM_NODE for mark in hidden.pins)
    assert all(mark & LEAVES_FROM_NODE == 0 and mark & OURS for mark in shown.pins)
    assert "snat ip to ct original ip daddr" in hidden.script


def test_marks_are_stable_across_updates_so_open_flows_stay_judged() -> None:
    key = (("127.9.0.100", 80, "tcp"), "arn:tg", ("127.9.1.1", 8080))
    assert pin_mark(key, leaves_from_node=False) == pin_mark(key, leaves_from_node=False)
    other = (("127.9.0.100", 80, "tcp"), "arn:tg", ("127.9.1.2", 8080))
    assert pin_mark(key, leaves_from_node=False) != pin_mark(other, leaves_from_node=False)


def test_an_update_deletes_the_chains_the_previous_ruleset_had_and_keeps_counters() -> None:
    first = render(_two_zone_table(), name="t")
    emptied = compile_routing(
        snapshot(2, load_balancer({ZONES[0]: NODE_A}, port=80), target_group())
    )
    second = render(emptied, name="t", previous_chains=first.chains)
    for chain in first.chains - second.chains:
        assert f"delete chain ip t {chain}" in second.script
    assert "flush table ip t" in second.script
    assert "delete counter" not in second.script  # counts stay cumulative


def test_no_target_and_foreign_sources_are_refused_with_a_reset() -> None:
    lb = load_balancer({ZONES[0]: NODE_A}, port=80, allowed_source_cidrs=("127.9.200.0/24", "::/0"))
    ruleset = render(compile_routing(snapshot(1, lb, target_group())), name="t")
    assert "ip saddr != { 127.9.200.0/24 }" in ruleset.script
    assert ruleset.script.count("reject with tcp reset") == 3  # + a first packet not a SYN
    reasons = sorted(key[2] for key in ruleset.rejections.values())
    assert reasons == ["no_target", "source_not_allowed"]


def test_tcp_flows_are_forgotten_after_the_listener_idle_timeout_and_then_reset() -> None:
    lb = load_balancer({ZONES[0]: NODE_A}, port=80, idle_timeout=120)
    ruleset = render(
        compile_routing(snapshot(1, lb, target_group(target("127.9.1.1", 80)))), name="t"
    )
    assert (
        "add ct timeout ip t idle_120 { protocol tcp ; l3proto ip ;"
        " policy = { established : 120 } ; }" in ruleset.script
    )
    assert 'ct timeout set "idle_120"' in ruleset.script
    assert "tcp flags & (fin | syn | rst | ack) != syn reject with tcp reset" in ruleset.script


def test_udp_is_dropped_not_reset_and_always_keeps_the_client_address() -> None:
    lb = load_balancer({ZONES[0]: NODE_A}, port=53, protocol="UDP")
    group = target_group(target("127.9.1.1", 5353), protocol="UDP")
    ruleset = render(compile_routing(snapshot(1, lb, group)), name="t")
    assert f"{NODE_A} . udp . 53" in ruleset.script
    assert "jhash ip saddr . udp sport . ip daddr . udp dport" in ruleset.script
    assert all(mark & LEAVES_FROM_NODE == 0 for mark in ruleset.pins)
    assert "reject" not in ruleset.script
    assert 'ct timeout set "udp_120"' in ruleset.script  # an NLB's fixed UDP idle timeout
    assert "policy = { unreplied : 120, replied : 120 }" in ruleset.script


def test_proxy_protocol_listeners_are_left_to_user_space() -> None:
    lb = load_balancer({ZONES[0]: NODE_A}, port=80)
    group = target_group(target("127.9.1.1", 8080), proxy_protocol_v2=True)
    table = compile_routing(snapshot(1, lb, group))
    assert not any(kernel_can_serve(plan) for plan in table.plans.values())
    ruleset = render(table, name="t")
    assert not ruleset.bindings
    assert "dnat" not in ruleset.script
    served = dataclasses.replace(group, proxy_protocol_v2=False)
    assert render(compile_routing(snapshot(1, lb, served)), name="t").bindings


def test_conntrack_lines_give_open_flows_with_both_directions() -> None:
    text = (
        "tcp      6 431999 ESTABLISHED src=127.0.0.1 dst=127.9.0.100 sport=40860 dport=80"
        " src=127.9.1.1 dst=127.9.0.100 sport=8080 dport=40860 [ASSURED] mark=3221225490 use=1\n"
        "tcp      6 119 TIME_WAIT src=127.0.0.1 dst=127.9.0.100 sport=40861 dport=80"
        " src=127.9.1.1 dst=127.9.0.100 sport=8080 dport=40861 [ASSURED] mark=3221225490 use=1\n"
        "udp      17 29 src=127.0.0.5 dst=127.9.0.100 sport=5000 dport=53"
        " src=127.9.1.1 dst=127.0.0.5 sport=5353 dport=5000 mark=1073741830 use=1\n"
        "conntrack v1.4.7 (conntrack-tools): 3 flow entries have been shown.\n"
    )
    flows = parse_conntrack(text)
    assert [f.transport for f in flows] == ["tcp", "udp"]  # TIME_WAIT is over
    tcp, udp = flows
    assert tcp.client == ("127.0.0.1", 40860)
    assert tcp.node == ("127.9.0.100", 80)
    assert tcp.target == ("127.9.1.1", 8080)
    assert tcp.reply_to == ("127.9.0.100", 40860)
    assert tcp.mark == 3221225490
    assert udp.reply_to == ("127.0.0.5", 5000)
