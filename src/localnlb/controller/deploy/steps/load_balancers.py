"""The load-balancer step: an unmatched or replaced load balancer is deleted right away (its
listeners go with it; a new one may take its name), then the stack's is created or changed in
place. Deletion protection set outside the Service is turned off first, as the real
synthesizer does. Nothing waits for PostSynthesize."""

from __future__ import annotations

from localnlb.controller.deploy.load_balancers import plan_load_balancer_changes
from localnlb.controller.deploy.run import DeployRun
from localnlb.controller.model.resources import LOAD_BALANCER_TYPE

DELETION_PROTECTION = "deletion_protection.enabled"


class LoadBalancerStep:
    def __init__(self, run: DeployRun) -> None:
        self._run = run

    async def synthesize(self) -> None:
        run, elbv2 = self._run, self._run.elbv2
        actual = await elbv2.list_load_balancers(run.stack_tags)
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
                await elbv2.modify_load_balancer_attributes(
                    stale.arn, {DELETION_PROTECTION: "false"}
                )
            await elbv2.delete_load_balancer(stale.arn)
            run.log("deleted load balancer", stale.resource_id, stale.arn)
        for want in plan.create:
            created = await elbv2.create_load_balancer(
                want.spec, security_groups=groups[want.id], tags=desired_tags[want.id]
            )
            run.log("created load balancer", want.id, created.arn)
            run.record(
                LOAD_BALANCER_TYPE, want.id, loadBalancerARN=created.arn, dnsName=created.dns_name
            )
            run.new_load_balancers.add(created.arn)
            run.dns_name = created.dns_name
        for update in plan.update:
            arn = update.actual.arn
            if update.subnet_ids is not None:
                await elbv2.set_subnets(arn, update.subnet_ids)
            if update.security_groups is not None:
                await elbv2.set_security_groups(arn, update.security_groups)
            if update.ip_address_type is not None:
                await elbv2.set_ip_address_type(arn, update.ip_address_type)
            if update.attributes:
                await elbv2.modify_load_balancer_attributes(arn, update.attributes)
            await run.retag_elbv2(arn, update.tags)
            run.record(
                LOAD_BALANCER_TYPE,
                update.desired.id,
                loadBalancerARN=arn,
                dnsName=update.actual.dns_name,
            )
            run.dns_name = update.actual.dns_name

    async def post_synthesize(self) -> None:
        """Load balancers are deleted in Synthesize (a replacement needs the name)."""
