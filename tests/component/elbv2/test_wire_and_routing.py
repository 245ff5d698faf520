"""The HTTP shell over loopback with a raw HTTP client: dispatch on ``Version``, unknown actions,
malformed input never turning into a 500, the EC2 error envelope, and the routing snapshot long
poll (answers at once when newer, waits for a change otherwise, wakes on ``invalidate``)."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localnlb.common.snapshot import SNAPSHOT_PATH, RoutingSnapshot
from localnlb.elbv2.api.actions import ELBV2_ACTIONS, Action
from localnlb.elbv2.api.context import ApiContext
from localnlb.elbv2.service import Elbv2Server

ELBV2 = {"Version": "2015-12-01"}
EC2 = {"Version": "2016-11-15"}


async def _post(server: Elbv2Server, form: dict[str, str]) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(server.url + "/", data=form) as reply,
    ):
        return reply.status, await reply.text()


async def test_unknown_actions_and_versions_are_invalid_action(server: Elbv2Server) -> None:
    status, body = await _post(server, {"Action": "LaunchRockets", **ELBV2})
    assert status == 400
    assert "<Code>InvalidAction</Code>" in body
    assert "Could not find operation LaunchRockets for version 2015-12-01" in body
    assert "<Type>Sender</Type>" in body
    status, body = await _post(server, {"Action": "DescribeLoadBalancers", "Version": "1999-01-01"})
    assert (status, "<Code>InvalidAction</Code>" in body) == (400, True)


async def test_empty_results_keep_the_result_element_and_empty_lists(server: Elbv2Server) -> None:
    status, body = await _post(server, {"Action": "DescribeLoadBalancers", **ELBV2})
    assert status == 200
    assert "<DescribeLoadBalancersResult><LoadBalancers/></DescribeLoadBalancersResult>" in body
    assert "<ResponseMetadata><RequestId>" in body


async def test_ec2_errors_use_the_ec2_envelope(server: Elbv2Server) -> None:
    status, body = await _post(server, {"Action": "DescribeVpcs", "VpcId.1": "vpc-0", **EC2})
    assert status == 400
    assert body.endswith("</RequestID></Response>")
    assert "<Errors><Error><Code>InvalidVpcID.NotFound</Code>" in body


async def test_missing_required_members_and_bad_scalars_are_validation_errors(
    server: Elbv2Server,
) -> None:
    status, body = await _post(server, {"Action": "CreateTargetGroup", **ELBV2})
    assert status == 400
    assert "Value null at &apos;name&apos;" in body or "Value null at 'name'" in body
    status, body = await _post(
        server, {"Action": "CreateTargetGroup", "Name": "x", "Port": "eighty", **ELBV2}
    )
    assert status == 400
    assert "<Code>ValidationError</Code>" in body
    status, body = await _post(server, {"Action": "RunInstances", "MinCount": "1", **EC2})
    assert (status, "<Code>MissingParameter</Code>" in body) == (400, True)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    action=st.sampled_from(
        [
            "CreateLoadBalancer",
            "CreateTargetGroup",
            "RegisterTargets",
            "CreateListener",
            "ModifyTargetGroupAttributes",
            "DescribeTargetHealth",
            "RunInstances",
            "DescribeSubnets",
            "CreateTags",
            "DeleteTags",
            "CreateSecurityGroup",
            "AuthorizeSecurityGroupIngress",
            "ModifyTargetGroup",
            "SetSubnets",
            "AddTags",
            "DescribeInstances",
        ]
    ),
    fields=st.dictionaries(
        st.sampled_from(
            [
                "Name",
                "Port",
                "Protocol",
                "TargetGroupArn",
                "Targets.member.1.Id",
                "Targets.member.1.Port",
                "Attributes.member.1.Key",
                "Subnets.member.1",
                "LoadBalancerArn",
                "MinCount",
                "MaxCount",
                "Filter.1.Name",
                "Filter.1.Value.1",
                "DefaultActions.member.1.Type",
                "VpcId",
                "PageSize",
                "Tag.1.Value",
                "ResourceId.1",
                "TagSpecification.1.Tag.1.Value",
                "SubnetMappings.member.1.AllocationId",
                "SubnetMappings.member.1.PrivateIPv4Address",
                "IpPermissions.1.IpProtocol",
                "GroupId",
                "CidrIp",
                "Tags.member.1.Value",
                "Certificates.member.1.IsDefault",
                "Matcher.HttpCode",
                "HealthCheckPort",
                "GroupName",
                "GroupDescription",
            ]
        ),
        st.text(max_size=12),
        max_size=6,
    ),
    ec2=st.booleans(),
)
async def test_bad_input_never_gets_a_500(
    server: Elbv2Server, action: str, fields: dict[str, str], ec2: bool
) -> None:
    status, body = await _post(server, {"Action": action, **fields, **(EC2 if ec2 else ELBV2)})
    assert status < 500, body


async def test_routing_long_poll(server: Elbv2Server) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(server.url + SNAPSHOT_PATH, params={"after": "-1"}) as reply:
            first = RoutingSnapshot.from_json(await reply.text())
        assert first.version == server.feed.version

        async def poll() -> RoutingSnapshot:
            params = {"after": str(first.version), "timeout": "10"}
            async with session.get(server.url + SNAPSHOT_PATH, params=params) as reply:
                return RoutingSnapshot.from_json(await reply.text())

        waiting = asyncio.create_task(poll())
        await asyncio.sleep(0)  # let the poll reach the server before the change
        assert not waiting.done()
        status, _ = await _post(
            server,
            {
                "Action": "CreateTargetGroup",
                "Name": "tg",
                "Protocol": "TCP",
                "Port": "80",
                "VpcId": server.store.default_vpc.vpc_id,
                **ELBV2,
            },
        )
        assert status == 200
        changed = await asyncio.wait_for(waiting, 10)
        assert changed.version > first.version
        assert [tg.name for tg in changed.target_groups] == ["tg"]

        waiting = asyncio.create_task(poll_after(session, server, changed.version))
        server.feed.invalidate()  # what the health checker calls when a verdict changes
        assert (await asyncio.wait_for(waiting, 10)).version > changed.version

        params = {"after": str(server.feed.version), "timeout": "0.05"}
        async with session.get(server.url + SNAPSHOT_PATH, params=params) as reply:
            unchanged = RoutingSnapshot.from_json(await reply.text())
        assert unchanged.version == server.feed.version


@pytest.mark.parametrize(
    "params",
    [{"timeout": "nan"}, {"timeout": "NaN"}, {"timeout": "soon"}, {"after": "x"}],
)
async def test_a_long_poll_with_an_unusable_after_or_timeout_is_a_400(
    server: Elbv2Server, params: dict[str, str]
) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(server.url + SNAPSHOT_PATH, params=params) as reply,
    ):
        assert reply.status == 400
        assert "bad 'after' or 'timeout'" in (await reply.json())["error"]


async def poll_after(
    session: aiohttp.ClientSession, server: Elbv2Server, version: int
) -> RoutingSnapshot:
    params = {"after": str(version), "timeout": "10"}
    async with session.get(server.url + SNAPSHOT_PATH, params=params) as reply:
        return RoutingSnapshot.from_json(await reply.text())


async def test_a_bug_in_a_handler_is_a_clean_internal_failure(
    server: Elbv2Server, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("a bug")

    monkeypatch.setitem(ELBV2_ACTIONS, "DescribeAccountLimits", Action(broken))
    status, body = await _post(server, {"Action": "DescribeAccountLimits", **ELBV2})
    assert status == 500
    assert "<Code>InternalFailure</Code>" in body
    assert "<Type>Receiver</Type>" in body
    assert "RuntimeError" not in body
    assert "Traceback" not in body
    assert "a bug" in caplog.text  # the traceback goes to the log, not to the client
