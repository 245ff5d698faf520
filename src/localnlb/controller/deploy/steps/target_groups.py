"""The target-group step: groups are created (a replacement too) and modified in place before
the listeners point at them; replaced and unwanted groups are deleted in PostSynthesize, after
the listeners moved on and the bindings deregistered their targets."""

from __future__ import annotations

from localnlb.controller.deploy.actual import ActualTargetGroup
from localnlb.controller.deploy.run import DeployRun
from localnlb.controller.deploy.target_groups import plan_target_group_changes
from localnlb.controller.model.resources import TARGET_GROUP_TYPE


class TargetGroupStep:
    def __init__(self, run: DeployRun) -> None:
        self._run = run
        self._stale: tuple[ActualTargetGroup, ...] = ()

    async def synthesize(self) -> None:
        run, elbv2 = self._run, self._run.elbv2
        actual = await elbv2.list_target_groups(run.stack_tags)
        desired_tags = {g.id: run.tags(g.id, dict(g.spec.tags)) for g in run.stack.target_groups}
        plan = plan_target_group_changes(
            run.stack.target_groups,
            actual,
            desired_tags=desired_tags,
            advanced_health_check=run.settings.nlb_health_check_advanced_config,
            ignored_tags=run.ignored,
        )
        for want in plan.to_create:
            created = await elbv2.create_target_group(
                want.spec, vpc_id=run.settings.vpc_id, tags=desired_tags[want.id]
            )
            run.log("created target group", want.id, created.arn)
            run.record(TARGET_GROUP_TYPE, want.id, targetGroupARN=created.arn)
        for update in plan.update:
            arn = update.actual.arn
            if update.health_check is not None:
                await elbv2.modify_target_group(arn, update.health_check)
            if update.attributes:
                await elbv2.modify_target_group_attributes(arn, update.attributes)
            await run.retag_elbv2(arn, update.tags)
            run.record(TARGET_GROUP_TYPE, update.desired.id, targetGroupARN=arn)
        self._stale = plan.to_delete

    async def post_synthesize(self) -> None:
        for group in self._stale:
            await self._run.elbv2.delete_target_group(group.arn)
            self._run.log("deleted target group", group.resource_id, group.arn)
