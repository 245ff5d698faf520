"""The network address plan (ARCHITECTURE §3), in loopback mode.

Everything lives on 127.0.0.0/8, which Linux routes to ``lo`` in full, so any process can bind
any address there with no set-up and no root, and nothing ever leaves the machine.

One VPC per state dir, ``127.V.0.0/16``; ``V`` differs between state dirs so that several can run
side by side (two pods on the same address and port would collide otherwise). Each Availability
Zone gets a ``/20`` subnet, ``127.V.(16*i).0/20``, carved into disjoint ranges so that the EC2 side
(instances, load balancer nodes) and the cluster (pods, VPC-CNI style) can allocate from the same
subnet without asking each other:

==============  ======================  =====================================
range           addresses               owner
==============  ======================  =====================================
reserved        ``.0.0`` – ``.0.9``     AWS reserves the first addresses
instances       ``.0.10`` – ``.0.99``   EC2 RunInstances (cluster nodes)
LB nodes        ``.0.100`` – ``.0.249`` one address per enabled AZ of each NLB
pods            ``.1.1`` – ``.15.254``  the cluster's IPAM, per AZ subnet
==============  ======================  =====================================

Services get their ClusterIPs from ``127.V.192.0/18`` (:attr:`AddressPlan.service_cidr`), clear
of every AZ subnet (six /20s reach ``127.V.95.255``): on EKS the Service CIDR is a private range
off the VPC, but here a ClusterIP must stay on loopback, so that a pod that follows its
``*_SERVICE_HOST`` variables reaches kube-proxy on this machine and never sends a packet off it.
The ``kube-dns`` Service takes the CIDR's tenth address (:func:`kube_dns_service_ip`), as on a
kubeadm or EKS cluster (``10.96.0.10``, ``172.20.0.10``).

The cluster's own servers that stand where a cluster runs system pods get addresses from
``127.V.128.0/24``, in the unused gap between the AZ subnets and the Service CIDR, so that no
pod, node, LB node or ClusterIP can ever take them: ``.53`` is the cluster DNS server
(:attr:`AddressPlan.cluster_dns_server`), which the ``kube-dns`` EndpointSlice names and
kube-proxy forwards ``kube-dns``'s ClusterIP to.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

DEFAULT_REGION = "us-west-2"
DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_AZ_COUNT = 3
MAX_AZ_COUNT = 6
SUBNET_PREFIX_LENGTH = 20
SUBNET_STRIDE = 16  # third octet step between AZ subnets (a /20 spans 16 /24s)
SERVICE_THIRD_OCTET = 192  # ClusterIPs: 127.V.192.0/18, above the last possible AZ subnet
SERVICE_PREFIX_LENGTH = 18
SYSTEM_THIRD_OCTET = 128  # the cluster's own servers: 127.V.128.0/24, clear of subnets and CIDR
CLUSTER_DNS_HOST = 53  # 127.V.128.53: the cluster DNS server
KUBE_DNS_SERVICE_OFFSET = 10  # kube-dns: the Service CIDR's tenth address


@dataclass(frozen=True, slots=True)
class AddressRange:
    first: ipaddress.IPv4Address
    last: ipaddress.IPv4Address

    def __contains__(self, address: object) -> bool:
        if isinstance(address, str):
            try:
                address = ipaddress.IPv4Address(address)
            except ValueError:
                return False
        return isinstance(address, ipaddress.IPv4Address) and self.first <= address <= self.last

    def addresses(self) -> list[ipaddress.IPv4Address]:
        return [ipaddress.IPv4Address(n) for n in range(int(self.first), int(self.last) + 1)]


@dataclass(frozen=True, slots=True)
class AzSubnet:
    zone_name: str
    zone_id: str
    cidr: ipaddress.IPv4Network
    instances: AddressRange
    lb_nodes: AddressRange
    pods: AddressRange


@dataclass(frozen=True, slots=True)
class AddressPlan:
    region: str
    vpc_cidr: ipaddress.IPv4Network
    subnets: tuple[AzSubnet, ...]
    service_cidr: ipaddress.IPv4Network

    @property
    def zone_names(self) -> tuple[str, ...]:
        return tuple(s.zone_name for s in self.subnets)

    def subnet_for_zone(self, zone_name: str) -> AzSubnet:
        for subnet in self.subnets:
            if subnet.zone_name == zone_name:
                return subnet
        raise KeyError(zone_name)

    @property
    def cluster_dns_server(self) -> str:
        """Where the cluster DNS server listens (the ``kube-dns`` Service's endpoint)."""
        octet = self.vpc_cidr.network_address.packed[1]
        return f"127.{octet}.{SYSTEM_THIRD_OCTET}.{CLUSTER_DNS_HOST}"

    @property
    def kube_dns_ip(self) -> str:
        return kube_dns_service_ip(self.service_cidr)

    def zone_of(self, address: str) -> str | None:
        """The AZ whose subnet holds ``address``, or None outside the VPC."""
        try:
            ip = ipaddress.IPv4Address(address)
        except ValueError:
            return None
        for subnet in self.subnets:
            if ip in subnet.cidr:
                return subnet.zone_name
        return None

    def in_vpc(self, address: str) -> bool:
        try:
            return ipaddress.IPv4Address(address) in self.vpc_cidr
        except ValueError:
            return False


def kube_dns_service_ip(service_cidr: ipaddress.IPv4Network) -> str:
    """The ``kube-dns`` Service's ClusterIP: the Service CIDR's tenth address."""
    return str(service_cidr.network_address + KUBE_DNS_SERVICE_OFFSET)


def _range(base: ipaddress.IPv4Address, first: int, last: int) -> AddressRange:
    return AddressRange(base + first, base + last)


def build_address_plan(
    *, vpc_octet: int, region: str = DEFAULT_REGION, az_count: int = DEFAULT_AZ_COUNT
) -> AddressPlan:
    """The plan for VPC ``127.<vpc_octet>.0.0/16`` with ``az_count`` zones ``<region>a``, ``b``…"""
    if not 1 <= vpc_octet <= 254:
        raise ValueError(f"vpc_octet must be 1..254, got {vpc_octet}")
    if not 1 <= az_count <= MAX_AZ_COUNT:
        raise ValueError(f"az_count must be 1..{MAX_AZ_COUNT}, got {az_count}")
    vpc = ipaddress.IPv4Network(f"127.{vpc_octet}.0.0/16")
    subnets = []
    for index in range(az_count):
        letter = "abcdef"[index]
        cidr = ipaddress.IPv4Network(
            f"127.{vpc_octet}.{SUBNET_STRIDE * index}.0/{SUBNET_PREFIX_LENGTH}"
        )
        base = cidr.network_address
        subnets.append(
            AzSubnet(
                zone_name=f"{region}{letter}",
                zone_id=f"{_zone_id_prefix(region)}-az{index + 1}",
                cidr=cidr,
                instances=_range(base, 10, 99),
                lb_nodes=_range(base, 100, 249),
                pods=_range(base, 257, cidr.num_addresses - 2),
            )
        )
    service_cidr = ipaddress.IPv4Network(
        f"127.{vpc_octet}.{SERVICE_THIRD_OCTET}.0/{SERVICE_PREFIX_LENGTH}"
    )
    return AddressPlan(
        region=region, vpc_cidr=vpc, subnets=tuple(subnets), service_cidr=service_cidr
    )


def _zone_id_prefix(region: str) -> str:
    """AWS zone ids look like ``usw2-az1``: the region's initials and its number."""
    parts = region.split("-")
    if len(parts) != 3:
        return region
    return f"{parts[0]}{parts[1][0]}{parts[2]}"


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` is this machine's loopback: an IP in 127.0.0.0/8 or ``::1``, or
    ``localhost``. A name that DNS might resolve anywhere is not."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


LOOPBACK_NETWORK = ipaddress.IPv4Network("127.0.0.0/8")  # all localnlb ever serves or dials


def in_loopback_network(address: str) -> bool:
    """Whether ``address`` is an IPv4 address in 127.0.0.0/8 (names and ``::1`` are not)."""
    try:
        return ipaddress.ip_address(address) in LOOPBACK_NETWORK
    except ValueError:
        return False
