"""One deployment of a stack: the clients, what has been deployed so far, and the Step interface.

A :class:`DeployRun` is made per ``StackDeployer.deploy`` and shared by that deployment's steps:
each step records the status of what it deployed (ARN, DNS name, group id) so that later steps
resolve their tokens against it, as the real controller's stack resolves ``$ref``s.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from localnlb.controller.deploy.changes import TagChanges
from localnlb.controller.deploy.seams import Ec2Client, ElbV2Client, TargetGroupBindingClient
from localnlb.controller.model.stack import DesiredStack
from localnlb.controller.model.tokens import StringToken, resolve_token
from localnlb.controller.service.settings import ControllerSettings
from localnlb.controller.service.tracking import resource_tags, stack_tags

# The deployer's logger, whichever step writes: its create/delete lines keep one source.
log = logging.getLogger("localnlb.controller.deploy.deployer")


class Step(Protocol):
    """One resource type's synthesizer (the real controller's ResourceSynthesizer)."""

    async def synthesize(self) -> None:
        """Create and update this type's resources (and delete what must go before creating)."""
        ...

    async def post_synthesize(self) -> None:
        """Delete what the later steps might still have pointed at until now."""
        ...


@dataclass
class DeployRun:
    stack: DesiredStack
    settings: ControllerSettings
    elbv2: ElbV2Client
    ec2: Ec2Client
    bindings: TargetGroupBindingClient
    statuses: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    new_load_balancers: set[str] = field(default_factory=set)  # ARNs created by this run
    dns_name: str | None = None  # the load balancer's, for the Service status

    @property
    def ignored(self) -> frozenset[str]:
        """Tags managed outside the controller: never added or removed by it."""
        return self.settings.external_managed_tags

    @property
    def stack_tags(self) -> dict[str, str]:
        return stack_tags(cluster_name=self.settings.cluster_name, stack_id=self.stack.stack_id)

    def tags(self, resource_id: str, spec_tags: dict[str, str]) -> dict[str, str]:
        return resource_tags(
            cluster_name=self.settings.cluster_name,
            stack_id=self.stack.stack_id,
            resource_id=resource_id,
            spec_tags=spec_tags,
        )

    def resolve(self, token: StringToken) -> str:
        return resolve_token(token, self.statuses)

    def log(self, message: str, resource_id: str | None, identifier: str) -> None:
        """One structured line per create/delete (updates are visible in the API's own log)."""
        log.info(
            message,
            extra={"stack_id": self.stack.stack_id, "resource_id": resource_id, "arn": identifier},
        )

    def record(self, resource_type: str, resource_id: str, **status: str) -> None:
        self.statuses[(resource_type, resource_id)] = status

    async def retag_elbv2(self, arn: str, changes: TagChanges) -> None:
        if changes.to_add:
            await self.elbv2.add_tags(arn, changes.to_add)
        if changes.to_remove:
            await self.elbv2.remove_tags(arn, changes.to_remove)

    async def retag_ec2(self, resource_id: str, changes: TagChanges) -> None:
        if changes.to_add:
            await self.ec2.create_tags(resource_id, changes.to_add)
        if changes.to_remove:
            await self.ec2.delete_tags(resource_id, changes.to_remove)
