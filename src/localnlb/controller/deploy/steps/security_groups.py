"""The security-group step: the stack's managed group is created or its rules changed first
(the load balancer names it); a group no longer wanted is deleted last, in PostSynthesize, once
the load balancer stopped using it (the API refuses earlier: DependencyViolation)."""

from __future__ import annotations

from localnlb.controller.deploy.run import DeployRun
from localnlb.controller.deploy.security_groups import (
    ActualSecurityGroup,
    plan_security_group_changes,
)
from localnlb.controller.model.resources import SECURITY_GROUP_TYPE


class SecurityGroupStep:
    def __init__(self, run: DeployRun) -> None:
        self._run = run
        self._stale: tuple[ActualSecurityGroup, ...] = ()

    async def synthesize(self) -> None:
        run, ec2, vpc_id = self._run, self._run.ec2, self._run.settings.vpc_id
        actual = await ec2.list_security_groups(vpc_id=vpc_id, stack_tags=run.stack_tags)
        desired_tags = {
            sg.id: run.tags(sg.id, dict(sg.spec.tags)) for sg in run.stack.security_groups
        }
        plan = plan_security_group_changes(
            run.stack.security_groups, actual, desired_tags=desired_tags, ignored_tags=run.ignored
        )
        for want in plan.create:
            group_id = await ec2.create_security_group(
                vpc_id=vpc_id,
                name=want.spec.group_name,
                description=want.spec.description,
                tags=desired_tags[want.id],
            )
            run.log("created security group", want.id, group_id)
            if want.spec.ingress:
                await ec2.authorize_ingress(group_id, want.spec.ingress)
            run.record(SECURITY_GROUP_TYPE, want.id, groupID=group_id)
        for update in plan.update:
            group_id = update.actual.group_id
            if update.authorize:
                await ec2.authorize_ingress(group_id, update.authorize)
            if update.revoke:
                await ec2.revoke_ingress(group_id, update.revoke)
            await run.retag_ec2(group_id, update.tags)
            run.record(SECURITY_GROUP_TYPE, update.desired.id, groupID=group_id)
        self._stale = plan.delete

    async def post_synthesize(self) -> None:
        for group in self._stale:
            await self._run.ec2.delete_security_group(group.group_id)
            self._run.log("deleted security group", group.resource_id, group.group_id)
