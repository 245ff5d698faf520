"""The TargetGroupBinding step: bindings are created or their spec patched last in Synthesize
(their target groups exist by then); a binding no longer wanted (e.g. of a replaced target group)
is deleted first in PostSynthesize, and each deletion waits (up to 60 s) until the binding
controller deregistered its targets, so the target group it bound can go after it."""

from __future__ import annotations

from dataclasses import replace

from localnlb.controller.deploy.actual import ActualTargetGroupBinding
from localnlb.controller.deploy.bindings import plan_binding_changes
from localnlb.controller.deploy.run import DeployRun
from localnlb.controller.service.constants import LABEL_STACK_NAME, LABEL_STACK_NAMESPACE


class TargetGroupBindingStep:
    def __init__(self, run: DeployRun) -> None:
        self._run = run
        self._stale: tuple[ActualTargetGroupBinding, ...] = ()

    async def synthesize(self) -> None:
        run = self._run
        namespace, _, name = run.stack.stack_id.partition("/")
        labels = {LABEL_STACK_NAMESPACE: namespace, LABEL_STACK_NAME: name}
        actual = await run.bindings.list_bindings(namespace, labels)
        plan = plan_binding_changes(run.stack.target_group_bindings, actual, resolve=run.resolve)
        # A matched binding keeps its name: its target group was modified in place (a health
        # check change renames the desired group, not the existing one).
        specs = [want.spec for want in plan.to_create]
        specs += [replace(want.spec, name=have.name) for want, have in plan.pairs]
        for spec in specs:
            await run.bindings.apply_binding(
                spec, target_group_arn=run.resolve(spec.target_group_arn), labels=labels
            )
        self._stale = plan.to_delete

    async def post_synthesize(self) -> None:
        for stale in self._stale:
            await self._run.bindings.delete_binding(stale.namespace, stale.name)
            self._run.log("deleted target group binding", stale.name, stale.target_group_arn)
