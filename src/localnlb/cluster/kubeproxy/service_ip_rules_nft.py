"""kube-proxy's ClusterIP table written down as one nftables transaction, as kube-proxy's nftables
mode does it: the kernel engine for ClusterIPs. Pure.

::

    table ip <name>
      chain services   nat output     (clusterIP, transport, port) -> goto s_…
      chain s_…        one per Service port   no endpoint: reset (TCP) / drop (UDP);
                                              ClientIP affinity: a known client -> its e_…;
                                              else random among the endpoints -> goto e_…
      chain e_…        one per endpoint       remember the client (affinity), dnat

Everything here is local traffic on 127/8, so one DNAT in the nat output hook serves every
client; conntrack then keeps the flow on its endpoint, and the pod sees the client's own address
(no SNAT for ClusterIP traffic). Names of chains and affinity sets derive from what they stand
for, so an update keeps them, and the transaction deletes those the previous ruleset had and
this one has not. A transaction flushes the affinity sets with everything else, so a client's
pick is kept while the Services and endpoints stay as they are, and chosen afresh after a change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from localnlb.cluster.kubeproxy.rules import Endpoint
from localnlb.cluster.kubeproxy.service_ips import ServiceIpRule

NAT_PRIORITY = -100  # dstnat, as kube-proxy's own nat chains


@dataclass(frozen=True, slots=True)
class ServiceIpRuleset:
    script: str
    chains: frozenset[str]
    sets: frozenset[str]


def table_name(owner: str) -> str:
    """The table of one state dir's kube-proxy: stable, so a restart replaces what a killed one
    left and ``localnlb down`` can remove it."""
    return "localnlb_kp_" + hashlib.blake2b(owner.encode(), digest_size=4).hexdigest()


def _short(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=5).hexdigest()


def _endpoint_id(rule: ServiceIpRule, endpoint: Endpoint) -> str:
    return _short(f"{rule.key}>{endpoint.address}:{endpoint.port}")


def render(
    name: str,
    rules: Iterable[ServiceIpRule],
    *,
    previous_chains: frozenset[str] = frozenset(),
    previous_sets: frozenset[str] = frozenset(),
) -> ServiceIpRuleset:
    """The nft script that makes table ``name`` forward every ClusterIP as ``rules`` say."""
    chains: set[str] = set()
    sets: set[str] = set()
    declarations: list[str] = []
    lines: list[str] = []
    entries: list[str] = []
    for rule in sorted(rules, key=lambda r: r.key):
        if rule.protocol not in ("TCP", "UDP"):
            continue  # no SCTP here, as in the user-space engine
        transport = rule.protocol.lower()
        service_chain = f"s_{_short(repr(rule.key))}"
        chains.add(service_chain)
        declarations.append(f"add chain ip {name} {service_chain}")
        entries.append(f"{rule.address} . {transport} . {rule.port} : goto {service_chain}")
        if not rule.endpoints:
            refusal = "reject with tcp reset" if transport == "tcp" else "drop"
            lines.append(f"add rule ip {name} {service_chain} meta l4proto {transport} {refusal}")
            continue
        verdicts = []
        for index, endpoint in enumerate(rule.endpoints):
            ident = _endpoint_id(rule, endpoint)
            endpoint_chain = f"e_{ident}"
            chains.add(endpoint_chain)
            declarations.append(f"add chain ip {name} {endpoint_chain}")
            if rule.affinity_seconds is not None:
                affinity = f"a_{ident}"
                sets.add(affinity)
                seconds = int(rule.affinity_seconds)
                declarations.append(
                    f"add set ip {name} {affinity} {{ type ipv4_addr ; flags dynamic, timeout ;"
                    f" timeout {seconds}s ; }}"
                )
                known = f"ip saddr @{affinity} goto {endpoint_chain}"
                lines += [
                    f"add rule ip {name} {service_chain} {known}",
                    f"add rule ip {name} {endpoint_chain} update @{affinity} {{ ip saddr }}",
                ]
            lines.append(
                f"add rule ip {name} {endpoint_chain} meta l4proto {transport}"
                f" dnat ip to {endpoint.address}:{endpoint.port}"
            )
            verdicts.append(f"{index} : goto {endpoint_chain}")
        lines.append(
            f"add rule ip {name} {service_chain} numgen random mod {len(rule.endpoints)}"
            f" vmap {{ {', '.join(verdicts)} }}"
        )
    base = [
        f"add table ip {name}",
        f"flush table ip {name}",
        f"add chain ip {name} services {{ type nat hook output priority {NAT_PRIORITY} ; }}",
    ]
    if entries:
        lines.append(
            f"add rule ip {name} services ip daddr . meta l4proto . th dport vmap"
            f" {{ {', '.join(entries)} }}"
        )
    stale = [
        *(f"delete chain ip {name} {chain}" for chain in sorted(previous_chains - chains)),
        *(f"delete set ip {name} {old}" for old in sorted(previous_sets - sets)),
    ]
    script = "\n".join([*base, *declarations, *lines, *stale]) + "\n"
    return ServiceIpRuleset(script=script, chains=frozenset(chains), sets=frozenset(sets))
