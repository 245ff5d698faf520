"""A pod's ``/etc/resolv.conf``, as the kubelet writes it for the pod's ``dnsPolicy``.

- ``ClusterFirst`` (the default): ``nameserver <kube-dns ClusterIP>``, ``search
  <ns>.svc.<zone> svc.<zone> <zone>`` and the node's own search domains, ``options ndots:5``;
  a ``hostNetwork`` pod gets ``Default`` instead unless it asks for ``ClusterFirstWithHostNet``;
  so does every pod when the kubelet has no cluster DNS (its ``--cluster-dns`` unset).
- ``Default``: the node's file, less its nameservers off 127.0.0.0/8 (a node here is this
  machine, whose resolver may sit elsewhere on the network: a pod's lookups must never leave
  the machine; with no nameserver left, glibc asks 127.0.0.1). Nothing to write when the node's
  file has no such nameserver and ``dnsConfig`` adds nothing.
- ``None``: only what ``dnsConfig`` says.

``dnsConfig`` then adds nameservers and search domains (duplicates dropped) and options (a
pod's option of the same name wins), as kubelet's ``appendDNSConfig``. Network safety: a
nameserver outside 127.0.0.0/8 from the pod's ``dnsConfig`` is refused
(:class:`UnsafeNameserver`) rather than written, since the pod's resolver would send its queries
there, off the machine. Pure: the node's file comes in as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from localnlb.cluster.dns.zone import CLUSTER_DOMAIN
from localnlb.common.addressing import in_loopback_network

DEFAULT_NDOTS = "ndots:5"


class UnsafeNameserver(ValueError):
    """A dnsConfig nameserver off 127.0.0.0/8: never written into a pod's resolv.conf."""


@dataclass(frozen=True, slots=True)
class ClusterDnsConfig:
    """The kubelet's ``--cluster-dns`` and ``--cluster-domain``."""

    nameserver: str
    domain: str = CLUSTER_DOMAIN


@dataclass(frozen=True, slots=True)
class ResolvConf:
    nameservers: tuple[str, ...]
    searches: tuple[str, ...]
    options: tuple[str, ...]

    def render(self) -> str:
        lines = [f"nameserver {server}" for server in self.nameservers]
        if self.searches:
            lines.append("search " + " ".join(self.searches))
        if self.options:
            lines.append("options " + " ".join(self.options))
        return "\n".join(lines) + "\n"


def parse_resolv_conf(text: str) -> ResolvConf:
    servers: list[str] = []
    searches: list[str] = []
    options: list[str] = []
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        if fields[0] == "nameserver":
            servers.extend(fields[1:2])
        elif fields[0] in ("search", "domain"):
            searches = fields[1:]  # the last search/domain line wins, as in glibc
        elif fields[0] == "options":
            options.extend(fields[1:])
    return ResolvConf(tuple(servers), tuple(searches), tuple(options))


def effective_policy(pod: Mapping[str, Any], cluster: ClusterDnsConfig | None) -> str:
    spec = pod.get("spec") or {}
    policy = spec.get("dnsPolicy") or "ClusterFirst"
    if policy == "ClusterFirst" and spec.get("hostNetwork"):
        policy = "Default"
    if policy == "ClusterFirstWithHostNet":
        policy = "ClusterFirst"
    if policy == "ClusterFirst" and cluster is None:
        policy = "Default"
    return policy


def pod_resolv_conf(
    pod: Mapping[str, Any], cluster: ClusterDnsConfig | None, *, node_resolv_conf: str
) -> str | None:
    """The file's text, or None when the pod simply sees the node's file."""
    spec = pod.get("spec") or {}
    policy = effective_policy(pod, cluster)
    dns_config = spec.get("dnsConfig") or {}
    node = parse_resolv_conf(node_resolv_conf)
    on_machine = tuple(server for server in node.nameservers if in_loopback_network(server))
    safe_node = ResolvConf(on_machine, node.searches, node.options)
    if policy == "Default" and not dns_config and safe_node == node:
        return None
    if policy == "ClusterFirst" and cluster is not None:
        namespace = (pod.get("metadata") or {}).get("namespace") or "default"
        base = ResolvConf(
            (cluster.nameserver,),
            (
                f"{namespace}.svc.{cluster.domain}",
                f"svc.{cluster.domain}",
                cluster.domain,
                *(s for s in node.searches if s != "."),
            ),
            (DEFAULT_NDOTS,),
        )
    elif policy == "None":
        base = ResolvConf((), (), ())
    else:
        base = safe_node
    return _with_dns_config(base, dns_config).render()


def _with_dns_config(base: ResolvConf, dns_config: Mapping[str, Any]) -> ResolvConf:
    added = [str(s) for s in dns_config.get("nameservers") or ()]
    for server in added:
        if not in_loopback_network(server):
            raise UnsafeNameserver(
                f"dnsConfig nameserver {server} is outside 127.0.0.0/8: localnlb never lets "
                "a pod send a packet off the machine"
            )
    options = {o.split(":", 1)[0]: o for o in base.options}
    for option in dns_config.get("options") or ():
        name = str(option.get("name", ""))
        if name:
            value = option.get("value")
            options[name] = f"{name}:{value}" if value not in (None, "") else name
    return ResolvConf(
        tuple(dict.fromkeys([*base.nameservers, *added])),
        tuple(dict.fromkeys([*base.searches, *(str(s) for s in dns_config.get("searches") or ())])),
        tuple(options.values()),
    )
