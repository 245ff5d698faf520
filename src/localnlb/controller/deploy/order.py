"""The order a stack is deployed in (the real controller's stack deployer).

Synthesis runs forwards: security groups, target groups, the load balancer (an unmatched or
replaced one is deleted right away, its listeners with it), listeners, then TargetGroupBindings.
Deletions of the rest are deferred to PostSynthesize, which runs backwards: bindings first (each
deletion waits, up to 60 s, for the binding controller to deregister its targets), then target
groups (retried while the API says ResourceInUse), then security groups. So nothing is deleted
while something still points at it, and an instance → ip switch never leaves the listener
without a target group.
"""

from __future__ import annotations

import enum


class Step(enum.Enum):
    SECURITY_GROUPS = "AWS::EC2::SecurityGroup"
    TARGET_GROUPS = "AWS::ElasticLoadBalancingV2::TargetGroup"
    LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
    LISTENERS = "AWS::ElasticLoadBalancingV2::Listener"
    TARGET_GROUP_BINDINGS = "K8S::ElasticLoadBalancingV2::TargetGroupBinding"


SYNTHESIZE_ORDER: tuple[Step, ...] = tuple(Step)
POST_SYNTHESIZE_ORDER: tuple[Step, ...] = tuple(reversed(SYNTHESIZE_ORDER))
BINDING_DELETION_WAIT_SECONDS = 60.0
