"""The NLB's decisions for each new flow, plugged into the generic relays.

For a TCP connection or a new UDP flow on an LB node binding: find the listener plan in the
current routing table, check the LB's allowed source CIDRs, choose a target by flow hash, pick
the upstream source address (the client's when ``preserve_client_ip``, else the node's), build
the PROXY v2 header when the target group asks for it, count, and pin the flow so that later
snapshots can drain or reset it (:mod:`localnlb.dataplane.verdicts`).

Client IP preservation in loopback mode: every 127/8 address is local, so the upstream socket is
bound to the client's own IP (any port); the target sees the client's address, though not its
port. UDP target groups always preserve the client IP (AWS does not let it be turned off).
"""

from __future__ import annotations

from typing import Any, Protocol

from localnlb.common.forwarding.tcp import FlowEnd, TcpFlow, UpstreamPlan
from localnlb.common.forwarding.udp import UdpFlow, UdpUpstreamPlan
from localnlb.common.proxyprotocol import encode_proxy
from localnlb.dataplane.flowhash import TCP, UDP, choose, flow_key
from localnlb.dataplane.metrics import (
    ACTIVE,
    BYTES_IN,
    BYTES_OUT,
    CROSS_AZ_BYTES,
    NEW,
    RESETS,
    FlowCounters,
)
from localnlb.dataplane.metrics import CROSS_AZ_FLOWS as CROSS_FLOWS
from localnlb.dataplane.routing import Binding, ListenerPlan, PinKey, RoutingTable
from localnlb.dataplane.settings import DataPlaneSettings

_RESET_ENDS = frozenset(
    {FlowEnd.RESET, FlowEnd.IDLE_TIMEOUT, FlowEnd.UPSTREAM_RESET, FlowEnd.DOWNSTREAM_RESET}
)


class FlowHost(Protocol):
    """What a policy needs of the LB node it decides for (a NodeEngine): the current table,
    counters and settings, and where to pin and unpin flows. A protocol, so that the engine
    imports the policies and never the other way round."""

    settings: DataPlaneSettings
    table: RoutingTable
    counters: FlowCounters

    def pin(self, key: PinKey, flow: TcpFlow | UdpFlow) -> None: ...

    def unpin(self, key: PinKey, flow: TcpFlow | UdpFlow) -> None: ...


class FlowPin:
    """Where a flow is pinned, and the counter slot it adds to when it ends.

    One per (listener plan, target), prepared when a new table is first used and shared by all
    of that target's flows: choosing a target for a flow is then a hash and an index.
    """

    __slots__ = ("cross", "key", "slot", "target", "upstream")

    def __init__(
        self, key: PinKey, slot: list[int], cross: bool, target: tuple[str, int], upstream: Any
    ) -> None:
        self.key = key
        self.slot = slot
        self.cross = cross
        self.target = target
        self.upstream = upstream  # the flow-independent upstream plan, when there is one


class _Policy:
    def __init__(self, engine: FlowHost, binding: Binding) -> None:
        self._engine = engine
        self._binding = binding
        self._prepared_for: ListenerPlan | None = None
        self._pins: tuple[FlowPin, ...] = ()

    def _prepare(self, plan: ListenerPlan) -> tuple[FlowPin, ...]:
        tg = plan.target_group
        pins = []
        if tg is not None:
            zone = plan.node.availability_zone
            for target in plan.candidates:
                address = (target.address, target.port)
                labels = (plan.load_balancer.name, tg.name, f"{address[0]}:{address[1]}", zone)
                pins.append(
                    FlowPin(
                        key=(self._binding, tg.arn, address),
                        slot=self._engine.counters.slot(labels),
                        cross=plan.is_cross_zone(target),
                        target=address,
                        upstream=self._shared_upstream(plan, address),
                    )
                )
        self._prepared_for, self._pins = plan, tuple(pins)
        return self._pins

    def _shared_upstream(self, plan: ListenerPlan, address: tuple[str, int]) -> Any:
        return None

    def _pick(
        self, client: tuple[str, int], listener: tuple[str, int], protocol: int
    ) -> tuple[ListenerPlan, FlowPin] | None:
        engine = self._engine
        plan = engine.table.plans.get(self._binding)
        if plan is None:
            return None
        if plan.allowed_networks is not None and not plan.admits(client[0]):
            engine.counters.reject(
                plan.load_balancer.name, plan.node.availability_zone, "source_not_allowed"
            )
            return None
        pins = self._pins if plan is self._prepared_for else self._prepare(plan)
        tg = plan.target_group
        key = flow_key(
            protocol=protocol,
            client=client,
            listener=listener,
            sticky=tg is not None and tg.stickiness,
        )
        pin = choose(pins, key)
        if pin is None:
            engine.counters.reject(
                plan.load_balancer.name, plan.node.availability_zone, "no_target"
            )
            return None
        slot = pin.slot
        slot[NEW] += 1
        slot[ACTIVE] += 1
        if pin.cross:
            slot[CROSS_FLOWS] += 1
        return plan, pin

    def _closed(self, pin: FlowPin | None, flow: TcpFlow | UdpFlow, reset: bool) -> None:
        if pin is None:
            return
        slot = pin.slot
        slot[ACTIVE] -= 1
        slot[BYTES_IN] += flow.bytes_up
        slot[BYTES_OUT] += flow.bytes_down
        if pin.cross:
            slot[CROSS_AZ_BYTES] += flow.bytes_up + flow.bytes_down
        if reset:
            slot[RESETS] += 1
        self._engine.unpin(pin.key, flow)


class TcpListenerPolicy(_Policy):
    def _shared_upstream(self, plan: ListenerPlan, address: tuple[str, int]) -> Any:
        tg = plan.target_group
        if tg is None or tg.proxy_protocol_v2 or tg.preserve_client_ip:
            return None  # these depend on the client: built per flow
        return self._upstream(plan, address, source_ip=plan.node.address, preface=b"")

    def _upstream(
        self, plan: ListenerPlan, address: tuple[str, int], *, source_ip: str, preface: bytes
    ) -> UpstreamPlan:
        return UpstreamPlan(
            address=address,
            source_ip=source_ip,
            preface=preface,
            idle_timeout=plan.listener.tcp_idle_timeout_seconds,
            connect_timeout=self._engine.settings.connect_timeout,
        )

    def open_flow(self, flow: TcpFlow) -> UpstreamPlan | None:
        picked = self._pick(flow.client, flow.listener, TCP)
        if picked is None:
            return None
        plan, pin = picked
        flow.tag = pin
        self._engine.pin(pin.key, flow)
        if pin.upstream is not None:
            upstream: UpstreamPlan = pin.upstream
            return upstream
        tg = plan.target_group
        assert tg is not None
        return self._upstream(
            plan,
            pin.target,
            source_ip=flow.client[0] if tg.preserve_client_ip else plan.node.address,
            preface=(
                encode_proxy(source=flow.client, destination=flow.listener)
                if tg.proxy_protocol_v2
                else b""
            ),
        )

    def flow_closed(self, flow: TcpFlow) -> None:
        self._closed(flow.tag, flow, flow.end in _RESET_ENDS)


class UdpListenerPolicy(_Policy):
    def open_flow(self, flow: UdpFlow) -> UdpUpstreamPlan | None:
        picked = self._pick(flow.client, flow.listener, UDP)
        if picked is None:
            return None
        _plan, pin = picked
        flow.tag = pin
        self._engine.pin(pin.key, flow)
        return UdpUpstreamPlan(
            address=pin.target,
            source_ip=flow.client[0],
            idle_timeout=self._engine.settings.udp_idle_timeout,
        )

    def flow_closed(self, flow: UdpFlow) -> None:
        self._closed(flow.tag, flow, reset=flow.reset_reason not in ("", "idle timeout"))
