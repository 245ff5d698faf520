"""The TargetGroupBinding validator through the webhook server over real HTTPS: CREATE checks
the other bindings and the group ELBv2 describes, UPDATE the immutable fields against the old
object; refusals are 403s in the real webhook's words, a failing binding list a 500, and the
server answers every other operation with allowed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from localnlb.controller.runtime.aws_calls import AwsUnavailableError
from tests.component.controller.test_webhook_server import FakeLookup, post, serving
from tests.unit.controller.test_binding_defaults import FakeTargetGroups

pytestmark = pytest.mark.timeout(20)
ARN = "arn:aws:elasticloadbalancing:us-west-2:000000000000:targetgroup/tg/0123456789abcdef"
GONE = "arn:aws:elasticloadbalancing:us-west-2:000000000000:targetgroup/gone/0123456789abcdef"
BROKEN = "arn:aws:elasticloadbalancing:us-west-2:000000000000:targetgroup/bad/0123456789abcdef"
VPC = "vpc-0123456789abcdef0"
GROUP = {
    "TargetGroupName": "tg",
    "TargetGroupArn": ARN,
    "TargetType": "ip",
    "Protocol": "TCP",
    "VpcId": VPC,
    "IpAddressType": "ipv4",
}
PATH = "/validate-elbv2-k8s-aws-v1beta1-targetgroupbinding"


class Aws(FakeTargetGroups):
    async def by_arn(self, arn: str) -> list[dict[str, Any]]:
        if arn == BROKEN:
            raise AwsUnavailableError("operation error describe_target_groups: refused")
        return await super().by_arn(arn)


@pytest.fixture
async def served() -> AsyncIterator[tuple[str, FakeLookup, aiohttp.ClientSession]]:
    lookup = FakeLookup()
    async with serving(lookup, target_groups=Aws(GROUP), vpc_id=VPC) as (server, session):
        yield f"{server.url}{PATH}", lookup, session


def binding(name: str = "b", uid: str = "", **spec: Any) -> dict[str, Any]:
    metadata = {"name": name, "namespace": "ui", **({"uid": uid} if uid else {})}
    base = {"targetGroupARN": ARN, "targetType": "ip", "serviceRef": {"name": "s", "port": 80}}
    return {"metadata": metadata, "spec": {**base, **spec}}


def review(
    obj: dict[str, Any], operation: str = "CREATE", old: dict[str, Any] | None = None
) -> dict[str, Any]:
    request = {"uid": "u-9", "operation": operation, "namespace": "ui", "object": obj}
    if old is not None:
        request["oldObject"] = old
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}


async def verdict(session: aiohttp.ClientSession, url: str, body: Any) -> str | None:
    """None when allowed, else the refusal's message (always a 403 in a 200 answer)."""
    status, answer = await post(session, url, body)
    assert status == 200, answer
    response = answer["response"]
    assert response["uid"] == "u-9"
    if response["allowed"]:
        assert "patch" not in response
        return None
    assert response["status"]["code"] == 403
    assert response["status"]["reason"] == "Forbidden"
    return str(response["status"]["message"])


async def test_create_checks_other_bindings_and_the_group(
    served: tuple[str, FakeLookup, aiohttp.ClientSession],
) -> None:
    url, lookup, session = served
    assert await verdict(session, url, review(binding(vpcID=VPC))) is None
    assert await verdict(session, url, review(binding(nodeSelector={}))) == (
        "TargetGroupBinding cannot set NodeSelector when TargetType is ip"
    )
    assert await verdict(session, url, review(binding(targetGroupARN=GONE))) == (
        "unable to get target group IP address type: expecting a single targetGroup but got 0"
    )
    assert await verdict(session, url, review(binding(targetGroupARN=BROKEN))) == (
        "unable to get target group IP address type:"
        " operation error describe_target_groups: refused"
    )
    assert await verdict(session, url, review(binding(targetGroupProtocol="UDP"))) == (
        f"TargetGroup {ARN} protocol differs (got UDP, expected TCP)"
    )
    lookup.bindings_by_namespace["web"] = [
        {
            "metadata": {"name": "first", "namespace": "web", "uid": "u-1"},
            "spec": {"targetGroupARN": ARN},
        }
    ]
    assert await verdict(session, url, review(binding())) == (
        f"TargetGroup {ARN} is already bound to following TargetGroupBindings [web/first]."
        f" Please enable MultiCluster mode on all TargetGroupBindings referencing {ARN}"
        " or choose a different Target Group ARN."
    )


async def test_update_keeps_the_immutable_fields(
    served: tuple[str, FakeLookup, aiohttp.ClientSession],
) -> None:
    url, lookup, session = served
    stored = binding(uid="u-1", ipAddressType="ipv4", vpcID=VPC)
    lookup.bindings_by_namespace["ui"] = [stored]
    relabelled = {**stored, "metadata": {**stored["metadata"], "labels": {"a": "b"}}}
    assert await verdict(session, url, review(relabelled, "UPDATE", stored)) is None
    switched = binding(uid="u-1", targetType="instance", ipAddressType="ipv6", vpcID=VPC)
    assert await verdict(session, url, review(switched, "UPDATE", stored)) == (
        "TargetGroupBinding update may not change these immutable fields:"
        " spec.targetType,spec.ipAddressType"
    )
    # an UPDATE naming the group by name only: resolved first, then compared with the old ARN
    by_name = binding(uid="u-1", targetGroupARN="", targetGroupName="tg", ipAddressType="ipv4")
    by_name["spec"]["vpcID"] = VPC
    assert await verdict(session, url, review(by_name, "UPDATE", stored)) is None
    by_name["spec"]["targetGroupName"] = "nope"
    assert await verdict(session, url, review(by_name, "UPDATE", stored)) == (
        "searching TargetGroup with name nope: expecting a single targetGroup with query [nope]"
        " but got 0"
    )


async def test_other_operations_bad_input_and_a_failing_list(
    served: tuple[str, FakeLookup, aiohttp.ClientSession],
) -> None:
    url, lookup, session = served
    assert await verdict(session, url, review(binding(nodeSelector={}), "DELETE")) is None
    status, _ = await post(session, url, {"kind": "AdmissionReview"})
    assert status == 400
    status, answer = await post(session, url, review(binding(), "UPDATE"))  # no oldObject
    assert answer["response"]["allowed"] is False
    assert answer["response"]["status"] == {"code": 400, "message": "there is no content to decode"}
    lookup.broken = True
    status, text = await post(session, url, review(binding()))
    assert status == 500
    assert "failed to list TargetGroupBindings in the cluster: connection refused" in text
