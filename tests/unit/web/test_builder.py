"""The scene builder: what the page draws for the workshop's instance and ip modes."""

from __future__ import annotations

import dataclasses
import json

from localnlb.web.builder import build_scene
from localnlb.web.scene import EdgeScene, Scene
from localnlb.web.traffic import LbTargetKey, ProxyKey, Rate, TrafficRates
from tests.unit.web import workshop as w

NOW = 1_780_000_000.0


def edges(scene: Scene, hop: str) -> list[EdgeScene]:
    return [e for e in scene.edges if e.hop == hop]


def test_empty_inputs_draw_nothing() -> None:
    scene = build_scene(snapshot=None, cluster=w.cluster(), rates=TrafficRates(), now=NOW)
    assert scene.load_balancers == ()
    assert scene.edges == ()
    assert scene.zones == w.ZONES
    assert [n.name for n in scene.nodes] == [n.name for n in w.nodes()]


def test_instance_mode_targets_are_node_ports_and_kube_proxy_hops_reach_the_pod() -> None:
    pod = w.ui_pod(0, node=1)
    scene = build_scene(
        snapshot=w.snapshot(w.instance_group()),
        cluster=w.cluster(pod),
        rates=TrafficRates(),
        now=NOW,
    )
    [lb] = scene.load_balancers
    assert lb.service == "ui/ui-nlb"
    [group] = lb.target_groups
    assert group.mode == "instance"
    assert [t.state for t in group.targets] == ["initial"] * 3
    assert group.targets[0].description == "Target registration is in progress"
    assert {t.anchor for t in group.targets} == {
        f"nodeport:{n.name}:{w.NODE_PORT}" for n in w.nodes()
    }
    # Cross-zone off: each LB node sends to the node in its own AZ only.
    lb_edges = edges(scene, "lb-to-node")
    assert len(lb_edges) == 3
    assert not any(e.cross_az for e in lb_edges)
    # Every NodePort forwards to the one pod: locally on its node, an extra hop elsewhere.
    hops = edges(scene, "node-to-pod")
    assert {e.target for e in hops} == {f"pod:ui/{pod.name}"}
    assert sorted((e.cross_node, e.cross_az) for e in hops) == [
        (False, False),
        (True, True),
        (True, True),
    ]
    assert not any(e.lit for e in scene.edges)


def test_traffic_rates_light_their_edges_only() -> None:
    pod = w.ui_pod(0, node=1)
    node_a, node_b = w.nodes()[0], w.nodes()[1]
    rates = TrafficRates(
        lb={
            LbTargetKey(
                w.LB_NAME, "k8s-ui-uinlb-inst", f"{node_a.address}:{w.NODE_PORT}", "us-west-2a"
            ): Rate(2.0, 4000.0, 1, NOW - 1),
        },
        proxy={
            ProxyKey(node_a.name, "ui", "ui-nlb", "http", True): Rate(2.0, 3000.0, 0, NOW - 1),
        },
    )
    scene = build_scene(
        snapshot=w.snapshot(w.instance_group("healthy", None)),
        cluster=w.cluster(pod),
        rates=rates,
        now=NOW,
    )
    lit = [e for e in scene.edges if e.lit]
    assert [(e.source, e.target) for e in lit] == [
        (f"lbnode:{w.LB_NAME}:us-west-2a", f"nodeport:{node_a.name}:{w.NODE_PORT}"),
        (f"nodeport:{node_a.name}:{w.NODE_PORT}", f"pod:ui/{pod.name}"),
    ]
    assert lit[0].flows_per_second == 2.0
    assert lit[0].active == 1
    assert lit[1].cross_node
    assert lit[1].cross_az
    assert node_b.name in {e.source.split(":")[1] for e in scene.edges if e.hop == "node-to-pod"}


def test_ip_mode_targets_are_pods_and_no_kube_proxy_hop_is_drawn() -> None:
    pods = (w.ui_pod(0, node=0), w.ui_pod(1, node=1), w.ui_pod(2, node=2))
    scene = build_scene(
        snapshot=w.snapshot(w.ip_group(*pods)),
        cluster=w.cluster(*pods),
        rates=TrafficRates(),
        now=NOW,
    )
    [group] = scene.load_balancers[0].target_groups
    assert group.mode == "ip"
    assert {t.anchor for t in group.targets} == {f"pod:ui/{p.name}" for p in pods}
    assert {t.label for t in group.targets} == {p.name for p in pods}
    assert len(edges(scene, "lb-to-pod")) == 3
    assert edges(scene, "node-to-pod") == []


def test_cross_zone_on_draws_every_lb_node_to_every_target_and_marks_the_crossings() -> None:
    pods = (w.ui_pod(0, node=0), w.ui_pod(1, node=1), w.ui_pod(2, node=2))
    scene = build_scene(
        snapshot=w.snapshot(w.ip_group(*pods), cross_zone=True),
        cluster=w.cluster(*pods),
        rates=TrafficRates(),
        now=NOW,
    )
    lb_edges = edges(scene, "lb-to-pod")
    assert len(lb_edges) == 9
    assert sum(e.cross_az for e in lb_edges) == 6


def test_observed_traffic_across_zones_is_drawn_even_with_cross_zone_off() -> None:
    pod = w.ui_pod(0, node=2)
    key = LbTargetKey(w.LB_NAME, "k8s-ui-uinlb-ip", f"{pod.ip}:8080", "us-west-2a")
    scene = build_scene(
        snapshot=w.snapshot(w.ip_group(pod)),
        cluster=w.cluster(pod),
        rates=TrafficRates(lb={key: Rate(1.0, 10.0, 0, NOW)}),
        now=NOW,
    )
    crossing = [e for e in scene.edges if e.cross_az]
    assert len(crossing) == 1
    assert crossing[0].lit


def test_local_policy_keeps_kube_proxy_on_the_node() -> None:
    pod = w.ui_pod(0, node=1)
    scene = build_scene(
        snapshot=w.snapshot(w.instance_group()),
        cluster=w.cluster(pod, policy="Local"),
        rates=TrafficRates(),
        now=NOW,
    )
    hops = edges(scene, "node-to-pod")
    assert len(hops) == 1
    assert not hops[0].cross_node


def test_shared_kube_proxy_counts_say_how_many_pods_share_them() -> None:
    pods = (w.ui_pod(0, node=1), w.ui_pod(1, node=2))
    scene = build_scene(
        snapshot=w.snapshot(w.instance_group()),
        cluster=w.cluster(*pods),
        rates=TrafficRates(),
        now=NOW,
    )
    from_a = [e for e in edges(scene, "node-to-pod") if w.nodes()[0].name in e.source]
    assert [e.shared_by for e in from_a] == [2, 2]


def test_not_ready_and_terminating_pods_are_not_endpoints() -> None:
    pods = (w.ui_pod(0, node=1, ready=False),)
    scene = build_scene(
        snapshot=w.snapshot(w.instance_group()),
        cluster=w.cluster(*pods),
        rates=TrafficRates(),
        now=NOW,
    )
    assert edges(scene, "node-to-pod") == []
    [node_b] = [n for n in scene.nodes if n.name == w.nodes()[1].name]
    assert node_b.pods[0].ready is False


def test_a_target_outside_the_cluster_gets_its_own_anchor() -> None:
    group = w.ip_group(w.ui_pod(0, node=0))
    scene = build_scene(
        snapshot=w.snapshot(group), cluster=w.cluster(), rates=TrafficRates(), now=NOW
    )
    [target] = scene.load_balancers[0].target_groups[0].targets
    assert target.anchor.startswith("target:k8s-ui-uinlb-ip:")
    assert target.label == "not in the cluster"


def test_scene_is_json() -> None:
    pod = w.ui_pod(0, node=0)
    scene = build_scene(
        snapshot=w.snapshot(w.instance_group()),
        cluster=w.cluster(pod),
        rates=TrafficRates(),
        now=NOW,
    )
    data = json.loads(scene.to_json())
    assert data["load_balancers"][0]["target_groups"][0]["mode"] == "instance"
    assert data["edges"][0]["source"].startswith("lbnode:")


def test_after_the_switch_to_ip_mode_old_kube_proxy_hops_are_not_drawn_once_quiet() -> None:
    pod = w.ui_pod(0, node=0)
    key = ProxyKey(w.nodes()[1].name, "ui", "ui-nlb", "http", True)
    quiet = TrafficRates(proxy={key: Rate(0.0, 0.0, 0, NOW - 60)})
    scene = build_scene(
        snapshot=w.snapshot(w.ip_group(pod)), cluster=w.cluster(pod), rates=quiet, now=NOW
    )
    assert edges(scene, "node-to-pod") == []
    busy = TrafficRates(proxy={key: Rate(1.0, 100.0, 0, NOW)})
    scene = build_scene(
        snapshot=w.snapshot(w.ip_group(pod)), cluster=w.cluster(pod), rates=busy, now=NOW
    )
    assert [e.lit for e in edges(scene, "node-to-pod")] == [True]


def test_a_pod_ip_taken_over_from_a_terminating_pod_names_the_live_one() -> None:
    live = w.ui_pod(0, node=0)
    leaving = dataclasses.replace(live, name="ui-old", terminating=True)
    for pods in ((live, leaving), (leaving, live)):
        scene = build_scene(
            snapshot=w.snapshot(w.ip_group(live)),
            cluster=w.cluster(*pods),
            rates=TrafficRates(),
            now=NOW,
        )
        [target] = scene.load_balancers[0].target_groups[0].targets
        assert target.label == live.name


def test_pods_on_no_known_node_are_listed_apart() -> None:
    pending = dataclasses.replace(w.ui_pod(3, node=0), node_name="", ip="", phase="Pending")
    scene = build_scene(
        snapshot=None,
        cluster=w.cluster(w.ui_pod(0, node=0), pending),
        rates=TrafficRates(),
        now=NOW,
    )
    assert [p.name for p in scene.unscheduled_pods] == [pending.name]
    assert sum(len(n.pods) for n in scene.nodes) == 1
