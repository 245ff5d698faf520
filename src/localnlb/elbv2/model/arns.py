"""ARNs and DNS names as AWS builds them for Network Load Balancers (reference §3.1).

``net`` appears in load balancer and listener ARNs; target groups have no type segment. Ids are
16 lower-case hex characters and the DNS name ends with the load balancer's id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Per-region NLB hosted zone ids (terraform-provider-aws hosted_zone_id_data_source.go).
NLB_HOSTED_ZONE_IDS = {
    "us-east-1": "Z26RNL4JYFTOTI",
    "us-east-2": "ZLMOA37VPKANP",
    "us-west-1": "Z24FKFUX50B4VW",
    "us-west-2": "Z18D5FSROUN65G",
    "eu-west-1": "Z2IFOLAFXWLO4F",
    "eu-west-2": "ZD4D7Y8KGAS4G",
    "eu-west-3": "Z1CMS0P5QUZ6D5",
    "eu-central-1": "Z3F0SRJ5LGBH90",
    "eu-north-1": "Z1UDT6IFJ4EJM",
    "ap-northeast-1": "Z31USIVHYNEOWT",
    "ap-northeast-2": "ZIBE1TIR4HY56",
    "ap-southeast-1": "ZKVM4W9LS7TM",
    "ap-southeast-2": "ZCT6FZBF4DROD",
    "ap-south-1": "ZVDDRBQ08TROA",
    "ca-central-1": "Z2EPGBW3API2WT",
    "sa-east-1": "ZTK26PT1VY4CU",
}
DEFAULT_HOSTED_ZONE_ID = "Z18D5FSROUN65G"

_PREFIX = r"arn:aws:elasticloadbalancing:[a-z0-9-]+:\d{12}:"
LOAD_BALANCER_ARN = re.compile(_PREFIX + r"loadbalancer/(net|app|gwy)/[A-Za-z0-9-]+/[0-9a-f]{16}")
LISTENER_ARN = re.compile(
    _PREFIX + r"listener/(net|app|gwy)/[A-Za-z0-9-]+/[0-9a-f]{16}/[0-9a-f]{16}"
)
TARGET_GROUP_ARN = re.compile(_PREFIX + r"targetgroup/[A-Za-z0-9-]+/[0-9a-f]{16}")


@dataclass(frozen=True, slots=True)
class ArnScope:
    region: str
    account_id: str

    @property
    def prefix(self) -> str:
        return f"arn:aws:elasticloadbalancing:{self.region}:{self.account_id}:"

    def load_balancer(self, name: str, lb_id: str) -> str:
        return f"{self.prefix}loadbalancer/net/{name}/{lb_id}"

    def listener(self, lb_arn: str, listener_id: str) -> str:
        tail = lb_arn.split(":loadbalancer/", 1)[1]
        return f"{self.prefix}listener/{tail}/{listener_id}"

    def target_group(self, name: str, tg_id: str) -> str:
        return f"{self.prefix}targetgroup/{name}/{tg_id}"


def dns_name(*, name: str, lb_id: str, region: str) -> str:
    """A load balancer's DNS name, ``<name>-<id>.elb.<region>.amazonaws.com``: the one builder
    (DescribeLoadBalancers and the routing snapshot both spell it through here)."""
    return f"{name}-{lb_id}.elb.{region}.amazonaws.com"


def hosted_zone_id(region: str) -> str:
    return NLB_HOSTED_ZONE_IDS.get(region, DEFAULT_HOSTED_ZONE_ID)


def resource_kind(arn: str) -> str | None:
    """``loadbalancer``, ``listener``, ``targetgroup`` (or None) for a well-formed ARN."""
    if LOAD_BALANCER_ARN.fullmatch(arn):
        return "loadbalancer"
    if LISTENER_ARN.fullmatch(arn):
        return "listener"
    if TARGET_GROUP_ARN.fullmatch(arn):
        return "targetgroup"
    return None
