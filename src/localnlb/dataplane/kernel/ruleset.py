"""A routing table written down as one nftables transaction: the kernel data path. Pure.

The user-space LB nodes (:mod:`localnlb.dataplane.engine`) relay every byte through Python; the
``kernel`` engine lets Linux forward instead. A new flow to an LB node address and listener port
meets a DNAT rule in the nat output hook (everything here is local traffic on 127/8) that picks a
target by hashing the flow as an NLB does (for TCP: addresses, ports and the SYN's sequence
number), and conntrack pins the flow to that target for its life. What each node may choose is
what :func:`~localnlb.dataplane.routing.compile_routing` decided (own zone or cross-zone, in
service or failing open); this module only renders it::

    table ip <name>
      chain lb_nodes   nat output     (node address, transport, port) -> goto l_…
      chain l_…        one per plan     outside the LB's CIDRs: reset; hash mod N -> goto p_…
      chain p_…        one per pin      ct mark (which pin), idle timeout, counter, dnat
      chain from_node  nat postrouting unpreserved client IP: leave from the node address
      chain accounting filter output  bytes each way, per pin, by ct mark

The transaction empties the table and fills it again (``flush table`` keeps named counters, so
counts are cumulative across updates) and deletes chains the previous ruleset had and this one
does not. A TCP flow idle for the listener's ``tcp.idle_timeout.seconds`` is forgotten by
conntrack (a ct timeout policy); whoever sends on it next gets a reset, as from an NLB. A UDP
flow is forgotten after the NLB's 120 s without a datagram; the next one starts a new flow.
Listeners whose target group wants PROXY protocol v2 are left out: a header must be written into
the stream, which the user-space nodes (listening on every binding anyway) do.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from localnlb.dataplane.flowhash import SEED
from localnlb.dataplane.metrics import Labels, RejectedKey
from localnlb.dataplane.routing import TCP, Binding, ListenerPlan, PinKey, RoutingTable
from localnlb.dataplane.settings import UDP_IDLE_TIMEOUT_SECONDS

OURS = 0x40000000  # every ct mark this engine sets has this bit
LEAVES_FROM_NODE = 0x80000000  # ... and this one when the target must see the node's address
_PIN_BITS = 0x3FFFFFFF
NAT_PRIORITY, SNAT_PRIORITY, BYTES_PRIORITY = -100, 100, 0


@dataclass(frozen=True, slots=True)
class KernelPin:
    """One (listener plan, target) the kernel may send new flows to; its ct mark names it."""

    mark: int
    key: PinKey
    labels: Labels
    cross_zone: bool
    transport: str


@dataclass(frozen=True, slots=True)
class Ruleset:
    script: str
    chains: frozenset[str]
    pins: Mapping[int, KernelPin]  # by ct mark
    rejections: Mapping[str, RejectedKey]  # counter name -> (load balancer, zone, reason)
    bindings: frozenset[Binding]


def kernel_can_serve(plan: ListenerPlan) -> bool:
    """PROXY protocol v2 needs bytes written into the stream: user space does those."""
    return not plan.writes_into_stream


def pin_mark(key: PinKey, *, leaves_from_node: bool) -> int:
    """A stable 30-bit name for a pin (stable across updates, so open flows stay judged)."""
    digest = hashlib.blake2b(repr(key).encode(), digest_size=4).digest()
    mark = (int.from_bytes(digest, "big") & _PIN_BITS) | OURS
    return mark | LEAVES_FROM_NODE if leaves_from_node else mark


def _short(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=4).hexdigest()


def _hash_expression(plan: ListenerPlan, modulus: int) -> str:
    """The kernel's half of :mod:`localnlb.dataplane.flowhash`: the same fields in the same
    order, hashed with the same ``jhash`` and seed and mapped to a candidate the same way (the
    core's :func:`~localnlb.dataplane.flowhash.choose`), so both engines pick alike. It runs
    in nftables because it runs per first packet, where no process is asked."""
    tg = plan.target_group
    if tg is not None and tg.stickiness:
        fields = "ip saddr"
    elif plan.transport == TCP:
        fields = "ip saddr . tcp sport . ip daddr . tcp dport . tcp sequence"
    else:
        fields = "ip saddr . udp sport . ip daddr . udp dport"
    return f"jhash {fields} mod {modulus} seed 0x{SEED:08x}"


def _refusal(plan: ListenerPlan) -> str:
    return "reject with tcp reset" if plan.transport == TCP else "drop"


def _source_rule(plan: ListenerPlan, counter: str) -> str | None:
    networks = plan.allowed_networks
    if networks is None:
        return None
    v4 = [n for n in networks if isinstance(n, ipaddress.IPv4Network)]
    if any(n.prefixlen == 0 for n in v4):
        return None
    match = f" ip saddr != {{ {', '.join(str(n) for n in v4)} }}" if v4 else ""
    return f'meta l4proto {plan.transport}{match} counter name "{counter}" {_refusal(plan)}'


@dataclass
class _Builder:
    name: str
    lines: list[str]
    chains: set[str]
    pins: dict[int, KernelPin]
    rejections: dict[str, RejectedKey]
    timeouts: set[int]
    udp_idle_seconds: int

    def chain(self, chain: str) -> None:
        self.chains.add(chain)
        self.lines.append(f"add chain ip {self.name} {chain}")

    def rule(self, chain: str, rule: str) -> None:
        self.lines.append(f"add rule ip {self.name} {chain} {rule}")

    def rejection(self, plan: ListenerPlan, reason: str) -> str:
        key = (plan.load_balancer.name, plan.node.availability_zone, reason)
        counter = f"r_{_short(repr(key))}"
        self.rejections[counter] = key
        return counter

    def counter_names(self) -> list[str]:
        """Every named counter: new flows and bytes each way per pin, and each rejection."""
        per_pin = {f"{prefix}_{mark:08x}" for mark in self.pins for prefix in ("n", "u", "d")}
        return sorted(per_pin | set(self.rejections))

    def plan_chain(self, plan: ListenerPlan) -> str:
        chain = f"l_{_short(repr(plan.binding))}"
        self.chain(chain)
        idle = f' ct timeout set "udp_{self.udp_idle_seconds}"'
        if plan.transport == TCP:
            # Only a flow's first packet reaches a nat chain. A first packet that is not a SYN
            # belongs to a flow the node forgot (idle past the listener's timeout): an NLB
            # answers it with a reset, so the flow cannot quietly resume.
            self.rule(chain, "tcp flags & (fin | syn | rst | ack) != syn reject with tcp reset")
            seconds = plan.listener.tcp_idle_timeout_seconds
            self.timeouts.add(seconds)
            idle = f' ct timeout set "idle_{seconds}"'

        source_rule = _source_rule(plan, self.rejection(plan, "source_not_allowed"))
        if source_rule is not None:
            self.rule(chain, source_rule)
        tg = plan.target_group
        verdicts = []
        for index, target in enumerate(plan.candidates if tg is not None else ()):
            assert tg is not None
            address = (target.address, target.port)
            key: PinKey = (plan.binding, tg.arn, address)
            preserved = tg.preserve_client_ip or plan.transport != TCP
            mark = pin_mark(key, leaves_from_node=not preserved)
            zone = plan.node.availability_zone
            labels = (plan.load_balancer.name, tg.name, f"{address[0]}:{address[1]}", zone)
            self.pins[mark] = KernelPin(
                mark, key, labels, plan.is_cross_zone(target), plan.transport
            )
            pin_chain = f"p_{mark:08x}"
            self.chain(pin_chain)
            self.rule(
                pin_chain,
                f"meta l4proto {plan.transport} ct mark set 0x{mark:08x}{idle}"
                f' counter name "n_{mark:08x}" dnat ip to {address[0]}:{address[1]}',
            )
            verdicts.append(f"{index} : goto {pin_chain}")
        if verdicts:
            hashed = _hash_expression(plan, len(verdicts))
            self.rule(chain, f"{hashed} vmap {{ {', '.join(verdicts)} }}")
        no_target = self.rejection(plan, "no_target")
        self.rule(
            chain, f'meta l4proto {plan.transport} counter name "{no_target}" {_refusal(plan)}'
        )
        return chain


def render(
    table: RoutingTable,
    *,
    name: str,
    previous_chains: frozenset[str] = frozenset(),
    udp_idle_timeout: float = UDP_IDLE_TIMEOUT_SECONDS,
) -> Ruleset:
    """The nft script that makes table ``name`` forward as ``table`` says."""
    udp_seconds = max(1, round(udp_idle_timeout))  # conntrack counts whole seconds
    b = _Builder(name, [], set(), {}, {}, set(), udp_seconds)
    entries = []
    bindings = set()
    for binding, plan in sorted(table.plans.items()):
        if not kernel_can_serve(plan):
            continue
        bindings.add(binding)
        address, port, transport = binding
        entries.append(f"{address} . {transport} . {port} : goto {b.plan_chain(plan)}")
    base = [
        f"add table ip {name}",
        f"flush table ip {name}",
        *(f"add counter ip {name} {counter}" for counter in b.counter_names()),
        *(
            f"add ct timeout ip {name} idle_{seconds} {{ protocol tcp ; l3proto ip ;"
            f" policy = {{ established : {seconds} }} ; }}"
            for seconds in sorted(b.timeouts)
        ),
        # An NLB forgets a UDP flow after 120 s without a datagram, answered or not.
        f"add ct timeout ip {name} udp_{udp_seconds} {{ protocol udp ; l3proto ip ;"
        f" policy = {{ unreplied : {udp_seconds}, replied : {udp_seconds} }} ; }}",
        f"add chain ip {name} lb_nodes {{ type nat hook output priority {NAT_PRIORITY} ; }}",
        f"add chain ip {name} from_node {{ type nat hook postrouting priority {SNAT_PRIORITY} ; }}",
        f"add chain ip {name} accounting {{ type filter hook output priority {BYTES_PRIORITY} ; }}",
    ]
    rules = [*b.lines]
    if entries:
        rules.append(
            f"add rule ip {name} lb_nodes ip daddr . meta l4proto . th dport vmap"
            f" {{ {', '.join(entries)} }}"
        )
    ours = f"ct mark & 0x{OURS:08x} == 0x{OURS:08x}"
    both = OURS | LEAVES_FROM_NODE
    rules.append(
        f"add rule ip {name} from_node ct mark & 0x{both:08x} == 0x{both:08x}"
        " snat ip to ct original ip daddr"
    )
    marks = sorted(b.pins)
    for direction, prefix in (("original", "u"), ("reply", "d")):
        if marks:
            mapping = ", ".join(f'0x{m:08x} : "{prefix}_{m:08x}"' for m in marks)
            rules.append(
                f"add rule ip {name} accounting {ours} ct direction {direction}"
                f" counter name ct mark map {{ {mapping} }}"
            )
    stale = sorted(previous_chains - b.chains)
    script = "\n".join([*base, *rules, *(f"delete chain ip {name} {c}" for c in stale)]) + "\n"
    return Ruleset(
        script=script,
        chains=frozenset(b.chains),
        pins=dict(b.pins),
        rejections=dict(b.rejections),
        bindings=frozenset(bindings),
    )
