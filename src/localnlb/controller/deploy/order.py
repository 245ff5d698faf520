"""The order a stack is deployed in: the step list the deployer runs (the real controller's
stack deployer, pkg/deploy/stack_deployer.go).

``synthesize`` runs forwards through :data:`STEPS`: security groups, target groups, the load
balancer (an unmatched or replaced one is deleted right away, its listeners with it), listeners,
then TargetGroupBindings. Deletions that something might still point at are deferred to
``post_synthesize``, which runs backwards: bindings first (each deletion waits, up to 60 s, for
the binding controller to deregister its targets), then target groups (retried while the API
says ResourceInUse), then security groups (retried while it says DependencyViolation). So
nothing is deleted while something still points at it, and an instance → ip switch never leaves
the listener without a target group. The ALB's listener rules slot in as one more step, between
listeners and bindings.
"""

from __future__ import annotations

from collections.abc import Callable

from localnlb.controller.deploy.run import DeployRun, Step
from localnlb.controller.deploy.steps.bindings import TargetGroupBindingStep
from localnlb.controller.deploy.steps.listeners import ListenerStep
from localnlb.controller.deploy.steps.load_balancers import LoadBalancerStep
from localnlb.controller.deploy.steps.security_groups import SecurityGroupStep
from localnlb.controller.deploy.steps.target_groups import TargetGroupStep

STEPS: tuple[Callable[[DeployRun], Step], ...] = (
    SecurityGroupStep,
    TargetGroupStep,
    LoadBalancerStep,
    ListenerStep,
    TargetGroupBindingStep,
)
