"""The listener step: on each of the stack's load balancers, listeners no longer wanted are
deleted, new ones created and changed ones modified (an instance → ip switch points the listener
at the replacement target group here, before the old group is deleted). A load balancer this run
created has no listeners to list. Nothing waits for PostSynthesize."""

from __future__ import annotations

from localnlb.controller.deploy.listeners import plan_listener_changes
from localnlb.controller.deploy.run import DeployRun
from localnlb.controller.model.resources import LISTENER_TYPE, LOAD_BALANCER_TYPE


class ListenerStep:
    def __init__(self, run: DeployRun) -> None:
        self._run = run

    async def synthesize(self) -> None:
        for load_balancer in self._run.stack.load_balancers:
            status = self._run.statuses[(LOAD_BALANCER_TYPE, load_balancer.id)]
            await self._on_load_balancer(status["loadBalancerARN"])

    async def _on_load_balancer(self, load_balancer_arn: str) -> None:
        run, elbv2 = self._run, self._run.elbv2
        fresh = load_balancer_arn in run.new_load_balancers
        actual = [] if fresh else await elbv2.list_listeners(load_balancer_arn)
        desired = [
            ls
            for ls in run.stack.listeners
            if run.resolve(ls.spec.load_balancer_arn) == load_balancer_arn
        ]
        desired_tags = {ls.id: run.tags(ls.id, dict(ls.spec.tags)) for ls in desired}
        plan = plan_listener_changes(
            desired,
            actual,
            resolve=run.resolve,
            desired_tags=desired_tags,
            ignored_tags=run.ignored,
        )
        for stale in plan.delete:
            await elbv2.delete_listener(stale.arn)
        for want in plan.create:
            created = await elbv2.create_listener(
                want.spec,
                load_balancer_arn=load_balancer_arn,
                target_group_arns=[run.resolve(t) for t in want.spec.target_group_arns],
                tags=desired_tags[want.id],
            )
            run.record(LISTENER_TYPE, want.id, listenerARN=created.arn)
        for update in plan.update:
            arn = update.actual.arn
            if update.modify:
                await elbv2.modify_listener(
                    arn,
                    protocol=update.desired.spec.protocol,
                    target_group_arns=update.target_group_arns,
                )
            if update.attributes:
                await elbv2.modify_listener_attributes(arn, update.attributes)
            await run.retag_elbv2(arn, update.tags)
            run.record(LISTENER_TYPE, update.desired.id, listenerARN=arn)

    async def post_synthesize(self) -> None:
        """Listeners no longer wanted are deleted in Synthesize; a deleted load balancer's went
        with it."""
