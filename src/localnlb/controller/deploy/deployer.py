"""Deploy a desired stack: make AWS (and the TargetGroupBindings) match it.

The thin imperative part around the pure planners. Each step lists the actual resources of the
stack by its tags, asks its planner what to do, does it through the seams, and records each
deployed resource's status (ARN, DNS name, group id) so later steps can resolve their tokens.
Steps run in ``order.SYNTHESIZE_ORDER``; deletions that something might still point at wait for
PostSynthesize, which runs backwards (bindings, then target groups, then security groups).
Deploying the empty stack therefore deletes everything the Service owned, in a safe order.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from localnlb.controller.deploy.actual import ActualTargetGroup
from localnlb.controller.deploy.bindings import plan_binding_changes
from localnlb.controller.deploy.changes import TagChanges
from localnlb.controller.deploy.listeners import plan_listener_changes
from localnlb.controller.deploy.load_balancers import plan_load_balancer_changes
from localnlb.controller.deploy.seams import Ec2Client, ElbV2Client, TargetGroupBindingClient
from localnlb.controller.deploy.security_groups import (
    ActualSecurityGroup,
    plan_security_group_changes,
)
from localnlb.controller.deploy.target_groups import plan_target_group_changes
from localnlb.controller.model.resources import (
    LISTENER_TYPE,
    LOAD_BALANCER_TYPE,
    SECURITY_GROUP_TYPE,
    TARGET_GROUP_TYPE,
)
from localnlb.controller.model.stack import DesiredStack
from localnlb.controller.model.tokens import StringToken, resolve_token
from localnlb.controller.service.constants import LABEL_STACK_NAME, LABEL_STACK_NAMESPACE
from localnlb.controller.service.settings import ControllerSettings
from localnlb.controller.service.tracking import resource_tags, stack_tags

log = logging.getLogger(__name__)

DELETION_PROTECTION = "deletion_protection.enabled"


@dataclass(frozen=True, slots=True)
class DeployResult:
    dns_name: str | None  # the load balancer's, for the Service status; None: none left


@dataclass
class _Run:
    """One deployment's working state: what got deployed, and what waits for PostSynthesize."""

    stack: DesiredStack
    settings: ControllerSettings
    statuses: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    stale_groups: tuple[ActualTargetGroup, ...] = ()
    stale_security_groups: tuple[ActualSecurityGroup, ...] = ()
    dns_name: str | None = None

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


class StackDeployer:
    def __init__(
        self,
        *,
        elbv2: ElbV2Client,
        ec2: Ec2Client,
        bindings: TargetGroupBindingClient,
        settings: ControllerSettings,
    ) -> None:
        self._elbv2 = elbv2
        self._ec2 = ec2
        self._bindings = bindings
        self._settings = settings

    async def deploy(self, stack: DesiredStack) -> DeployResult:
        run = _Run(stack, self._settings)
        await self._security_groups(run)
        await self._target_groups(run)
        await self._load_balancer(run)
        await self._bindings_and_post_synthesize(run)
        return DeployResult(run.dns_name)

    async def _security_groups(self, run: _Run) -> None:
        actual = await self._ec2.list_security_groups(
            vpc_id=self._settings.vpc_id, stack_tags=run.stack_tags
        )
        desired_tags = {
            sg.id: run.tags(sg.id, dict(sg.spec.tags)) for sg in run.stack.security_groups
        }
        plan = plan_security_group_changes(
            run.stack.security_groups, actual, desired_tags=desired_tags, ignored_tags=run.ignored
        )
        for want in plan.create:
            group_id = await self._ec2.create_security_group(
                vpc_id=self._settings.vpc_id,
                name=want.spec.group_name,
                description=want.spec.description,
                tags=desired_tags[want.id],
            )
            run.log("created security group", want.id, group_id)
            if want.spec.ingress:
                await self._ec2.authorize_ingress(group_id, want.spec.ingress)
            run.record(SECURITY_GROUP_TYPE, want.id, groupID=group_id)
        for update in plan.update:
            group_id = update.actual.group_id
            if update.authorize:
                await self._ec2.authorize_ingress(group_id, update.authorize)
            if update.revoke:
                await self._ec2.revoke_ingress(group_id, update.revoke)
            await self._retag_ec2(group_id, update.tags)
            run.record(SECURITY_GROUP_TYPE, update.desired.id, groupID=group_id)
        run.stale_security_groups = plan.delete

    async def _target_groups(self, run: _Run) -> None:
        actual = await self._elbv2.list_target_groups(run.stack_tags)
        desired_tags = {g.id: run.tags(g.id, dict(g.spec.tags)) for g in run.stack.target_groups}
        plan = plan_target_group_changes(
            run.stack.target_groups,
            actual,
            desired_tags=desired_tags,
            advanced_health_check=self._settings.nlb_health_check_advanced_config,
            ignored_tags=run.ignored,
        )
        for want in plan.to_create:
            created = await self._elbv2.create_target_group(
                want.spec, vpc_id=self._settings.vpc_id, tags=desired_tags[want.id]
            )
            run.log("created target group", want.id, created.arn)
            run.record(TARGET_GROUP_TYPE, want.id, targetGroupARN=created.arn)
        for update in plan.update:
            arn = update.actual.arn
            if update.health_check is not None:
                await self._elbv2.modify_target_group(arn, update.health_check)
            if update.attributes:
                await self._elbv2.modify_target_group_attributes(arn, update.attributes)
            await self._retag_elbv2(arn, update.tags)
            run.record(TARGET_GROUP_TYPE, update.desired.id, targetGroupARN=arn)
        run.stale_groups = plan.to_delete

    async def _load_balancer(self, run: _Run) -> None:
        actual = await self._elbv2.list_load_balancers(run.stack_tags)
        desired_tags = {
            lb.id: run.tags(lb.id, dict(lb.spec.tags)) for lb in run.stack.load_balancers
        }
        groups = {
            lb.id: tuple(run.resolve(t) for t in lb.spec.security_groups)
            for lb in run.stack.load_balancers
        }
        plan = plan_load_balancer_changes(
            run.stack.load_balancers,
            actual,
            desired_tags=desired_tags,
            resolved_security_groups=groups,
            ignored_tags=run.ignored,
        )
        for stale in plan.delete_first:
            if stale.attributes.get(DELETION_PROTECTION) == "true":
                # As the real synthesizer: protection set outside the Service does not block it.
                await self._elbv2.modify_load_balancer_attributes(
                    stale.arn, {DELETION_PROTECTION: "false"}
                )
            await self._elbv2.delete_load_balancer(stale.arn)
            run.log("deleted load balancer", stale.resource_id, stale.arn)
        for want in plan.create:
            created = await self._elbv2.create_load_balancer(
                want.spec, security_groups=groups[want.id], tags=desired_tags[want.id]
            )
            run.log("created load balancer", want.id, created.arn)
            run.record(
                LOAD_BALANCER_TYPE, want.id, loadBalancerARN=created.arn, dnsName=created.dns_name
            )
            run.dns_name = created.dns_name
            await self._listeners(run, created.arn, existing=False)
        for update in plan.update:
            arn = update.actual.arn
            if update.subnet_ids is not None:
                await self._elbv2.set_subnets(arn, update.subnet_ids)
            if update.security_groups is not None:
                await self._elbv2.set_security_groups(arn, update.security_groups)
            if update.ip_address_type is not None:
                await self._elbv2.set_ip_address_type(arn, update.ip_address_type)
            if update.attributes:
                await self._elbv2.modify_load_balancer_attributes(arn, update.attributes)
            await self._retag_elbv2(arn, update.tags)
            run.record(
                LOAD_BALANCER_TYPE,
                update.desired.id,
                loadBalancerARN=arn,
                dnsName=update.actual.dns_name,
            )
            run.dns_name = update.actual.dns_name
            await self._listeners(run, arn, existing=True)

    async def _listeners(self, run: _Run, load_balancer_arn: str, *, existing: bool) -> None:
        actual = await self._elbv2.list_listeners(load_balancer_arn) if existing else []
        desired_tags = {ls.id: run.tags(ls.id, dict(ls.spec.tags)) for ls in run.stack.listeners}
        plan = plan_listener_changes(
            run.stack.listeners,
            actual,
            resolve=run.resolve,
            desired_tags=desired_tags,
            ignored_tags=run.ignored,
        )
        for stale in plan.delete:
            await self._elbv2.delete_listener(stale.arn)
        for want in plan.create:
            created = await self._elbv2.create_listener(
                want.spec,
                load_balancer_arn=load_balancer_arn,
                target_group_arns=[run.resolve(t) for t in want.spec.target_group_arns],
                tags=desired_tags[want.id],
            )
            run.record(LISTENER_TYPE, want.id, listenerARN=created.arn)
        for update in plan.update:
            arn = update.actual.arn
            if update.modify:
                await self._elbv2.modify_listener(
                    arn,
                    protocol=update.desired.spec.protocol,
                    target_group_arns=update.target_group_arns,
                )
            if update.attributes:
                await self._elbv2.modify_listener_attributes(arn, update.attributes)
            await self._retag_elbv2(arn, update.tags)
            run.record(LISTENER_TYPE, update.desired.id, listenerARN=arn)

    async def _bindings_and_post_synthesize(self, run: _Run) -> None:
        namespace, _, name = run.stack.stack_id.partition("/")
        labels = {LABEL_STACK_NAMESPACE: namespace, LABEL_STACK_NAME: name}
        actual = await self._bindings.list_bindings(namespace, labels)
        plan = plan_binding_changes(run.stack.target_group_bindings, actual, resolve=run.resolve)
        # A matched binding keeps its name: its target group was modified in place (a health
        # check change renames the desired group, not the existing one).
        specs = [want.spec for want in plan.to_create]
        specs += [replace(want.spec, name=have.name) for want, have in plan.pairs]
        for spec in specs:
            await self._bindings.apply_binding(
                spec, target_group_arn=run.resolve(spec.target_group_arn), labels=labels
            )
        # PostSynthesize, in reverse order: nothing is deleted while something points at it.
        for stale in plan.to_delete:
            await self._bindings.delete_binding(stale.namespace, stale.name)
            run.log("deleted target group binding", stale.name, stale.target_group_arn)
        for group in run.stale_groups:
            await self._elbv2.delete_target_group(group.arn)
            run.log("deleted target group", group.resource_id, group.arn)
        for security_group in run.stale_security_groups:
            await self._ec2.delete_security_group(security_group.group_id)
            run.log("deleted security group", security_group.resource_id, security_group.group_id)

    async def _retag_elbv2(self, arn: str, changes: TagChanges) -> None:
        if changes.to_add:
            await self._elbv2.add_tags(arn, changes.to_add)
        if changes.to_remove:
            await self._elbv2.remove_tags(arn, changes.to_remove)

    async def _retag_ec2(self, resource_id: str, changes: TagChanges) -> None:
        if changes.to_add:
            await self._ec2.create_tags(resource_id, changes.to_add)
        if changes.to_remove:
            await self._ec2.delete_tags(resource_id, changes.to_remove)
