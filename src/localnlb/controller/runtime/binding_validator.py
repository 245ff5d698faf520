"""The shell around the TargetGroupBinding validator: gathers what the pure rules
(:mod:`~localnlb.controller.webhooks.binding_validation`) need and answers the review.

Every binding in the cluster is listed live through the API (one created a moment ago already
counts against a second binding of its group); on CREATE ELBv2 DescribeTargetGroups is asked
once for the binding's ARN. A binding naming its group only by name (an UPDATE that dropped the
ARN: the mutator runs on CREATE only) has the name resolved first, as the real validator does.
AWS refusing or unreachable refuses the binding (failurePolicy Fail would anyway); the API
unreachable is a 500.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any, Protocol

from aiohttp import web
from lightkube import ApiError

from localnlb.controller.deploy.errors import DeployError
from localnlb.controller.webhooks.binding_defaults import TargetGroupLookup
from localnlb.controller.webhooks.binding_group_checks import Described
from localnlb.controller.webhooks.binding_validation import (
    BindingFacts,
    binding_facts,
    create_refusal,
    update_refusal,
)
from localnlb.controller.webhooks.review import ReviewRequest, allow, deny

log = logging.getLogger(__name__)
Raw = dict[str, Any]
# controller-runtime's admission.Denied: kubectl prints "Error from server (Forbidden): ..."
DENIED_CODE, DENIED_REASON = 403, "Forbidden"


class AllBindings(Protocol):
    async def all_bindings(self) -> list[Raw]: ...


class BindingValidator:
    def __init__(
        self, *, bindings: AllBindings, target_groups: TargetGroupLookup, cluster_vpc_id: str
    ) -> None:
        self._bindings = bindings
        self._target_groups = target_groups
        self._cluster_vpc_id = cluster_vpc_id

    async def answer(self, review: ReviewRequest) -> Raw:
        if review.operation == "UPDATE" and review.old is None:
            # controller-runtime cannot decode the absent old object: admission.Errored(400)
            return deny(review, "there is no content to decode")
        new = binding_facts(review.obj, namespace=review.namespace)
        try:
            refusal = await self._refusal(review, new)
        except (ApiError, OSError) as error:
            log.warning("binding validation: cannot list TargetGroupBindings: %s", error)
            raise web.HTTPInternalServerError(
                text=f"failed to list TargetGroupBindings in the cluster: {error}"
            ) from None
        if refusal is None:
            return allow(review, [])
        return deny(review, refusal, code=DENIED_CODE, reason=DENIED_REASON)

    async def _refusal(self, review: ReviewRequest, new: BindingFacts) -> str | None:
        if review.operation not in ("CREATE", "UPDATE"):
            return None
        if not new.target_group_arn and new.target_group_name:
            arn, refusal = await self._by_name(new.target_group_name)
            if refusal is not None:
                return refusal
            new = dataclasses.replace(new, target_group_arn=arn)
        others = [binding_facts(b) for b in await self._bindings.all_bindings()]
        if review.operation == "UPDATE" and review.old is not None:  # (checked in answer)
            old = binding_facts(review.old, namespace=review.namespace)
            return update_refusal(new, old, others=others, cluster_vpc_id=self._cluster_vpc_id)
        described = await self._describe(new.target_group_arn) if new.target_group_arn else None
        return create_refusal(new, others=others, described=described or Described())

    async def _by_name(self, name: str) -> tuple[str, str | None]:
        """The group's ARN, or the refusal when there is not exactly one."""
        try:
            groups = await self._target_groups.by_name(name)
        except DeployError as error:
            return "", f"searching TargetGroup with name {name}: {error}"
        if len(groups) != 1:
            return "", (
                f"searching TargetGroup with name {name}: expecting a single targetGroup with"
                f" query [{name}] but got {len(groups)}"
            )
        return str(groups[0]["TargetGroupArn"]), None

    async def _describe(self, arn: str) -> Described:
        try:
            return Described(groups=tuple(await self._target_groups.by_arn(arn)))
        except DeployError as error:
            return Described(error=str(error))
