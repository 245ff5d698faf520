"""Deploy a desired stack: make AWS (and the TargetGroupBindings) match it.

The deployer is its step list, ``order.STEPS``: it makes one step per resource type for this
deployment, runs every step's ``synthesize`` in list order, then every step's
``post_synthesize`` in reverse order (deferred deletions), as the real controller's stack
deployer does. Deploying the empty stack therefore deletes everything the Service owned, in a
safe order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from localnlb.controller.deploy import order
from localnlb.controller.deploy.run import DeployRun, Step
from localnlb.controller.deploy.seams import Ec2Client, ElbV2Client, TargetGroupBindingClient
from localnlb.controller.model.stack import DesiredStack
from localnlb.controller.service.settings import ControllerSettings


@dataclass(frozen=True, slots=True)
class DeployResult:
    dns_name: str | None  # the load balancer's, for the Service status; None: none left


class StackDeployer:
    def __init__(
        self,
        *,
        elbv2: ElbV2Client,
        ec2: Ec2Client,
        bindings: TargetGroupBindingClient,
        settings: ControllerSettings,
        steps: Sequence[Callable[[DeployRun], Step]] = order.STEPS,
    ) -> None:
        self._elbv2 = elbv2
        self._ec2 = ec2
        self._bindings = bindings
        self._settings = settings
        self._steps = tuple(steps)

    async def deploy(self, stack: DesiredStack) -> DeployResult:
        run = DeployRun(stack, self._settings, self._elbv2, self._ec2, self._bindings)
        steps = [make(run) for make in self._steps]
        for step in steps:
            await step.synthesize()
        for step in reversed(steps):
            await step.post_synthesize()
        return DeployResult(run.dns_name)
