"""The dashboard following the real ELBv2 API's routing snapshot: what boto3 creates shows up,
with the same target states describe-target-health reports, and the timeline says what changed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from localnlb.web.dashboard import Dashboard, DashboardSettings
from localnlb.web.scene import LoadBalancerScene
from tests.component.web.browser import open_page
from tests.contract.elbv2.conftest import RunningElbv2, client, run_elbv2_in_thread
from tests.helpers.waiting import async_wait_until

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def elbv2(tmp_path: Path) -> Iterator[RunningElbv2]:
    running = run_elbv2_in_thread(tmp_path / "state")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
async def dashboard(elbv2: RunningElbv2, tmp_path: Path) -> AsyncIterator[Dashboard]:
    settings = DashboardSettings(state_dir=tmp_path / "dash", elbv2_url=elbv2.url, poll_seconds=1)
    running = Dashboard(settings)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


def create_load_balancer(url: str) -> dict[str, Any]:
    api, ec2 = client("elbv2", url), client("ec2", url)
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])
    lb = api.create_load_balancer(
        Name="dash", Type="network", Subnets=[s["SubnetId"] for s in subnets[:2]]
    )["LoadBalancers"][0]
    group = api.create_target_group(
        Name="dash-ip", Protocol="TCP", Port=8080, VpcId=subnets[0]["VpcId"], TargetType="ip"
    )["TargetGroups"][0]
    base = subnets[0]["CidrBlock"].split("/")[0].split(".")
    ips = [f"{base[0]}.{base[1]}.{int(base[2]) + 1}.{host}" for host in (20, 21)]
    api.register_targets(
        TargetGroupArn=group["TargetGroupArn"], Targets=[{"Id": ip, "Port": 8080} for ip in ips]
    )
    api.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="TCP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}],
    )
    health = api.describe_target_health(TargetGroupArn=group["TargetGroupArn"])
    return {"lb": lb, "group": group, "health": health["TargetHealthDescriptions"]}


async def test_what_boto3_creates_is_drawn_with_the_apis_target_states(
    elbv2: RunningElbv2, dashboard: Dashboard
) -> None:
    await async_wait_until(
        lambda: _ready(dashboard), timeout=10, what="the dashboard following the ELBv2 API"
    )
    created = await asyncio.to_thread(create_load_balancer, elbv2.url)

    async def drawn() -> LoadBalancerScene | None:
        for lb in dashboard.hub.scene.load_balancers:
            groups = lb.target_groups
            if lb.name == "dash" and groups and len(groups[0].targets) == 2:
                return lb
        return None

    lb = await async_wait_until(drawn, timeout=10, what="the load balancer in the scene")
    assert lb.dns_name == created["lb"]["DNSName"]
    assert len(lb.nodes) == 2
    [group] = lb.target_groups
    assert group.mode == "ip"
    api_states = {
        d["Target"]["Id"]: (d["TargetHealth"]["State"], d["TargetHealth"].get("Reason"))
        for d in created["health"]
    }
    assert {t.id: (t.state, t.reason) for t in group.targets} == api_states
    kinds = {entry.kind for entry in dashboard.hub.scene.timeline}
    assert {"load balancer", "target group", "registration"} <= kinds
    # Without a cluster, the targets are drawn on their own anchors.
    assert {t.label for t in group.targets} == {"not in the cluster"}
    assert {e.hop for e in dashboard.hub.scene.edges} == {"lb-to-target"}


async def _ready(dashboard: Dashboard) -> bool:
    return any(s.name == "elbv2" and s.ok for s in dashboard.hub.scene.sources)


@pytest.mark.usefixtures("chromium")
async def test_a_registration_reaches_the_page_within_a_second(
    elbv2: RunningElbv2, dashboard: Dashboard, tmp_path: Path
) -> None:
    created = await asyncio.to_thread(create_load_balancer, elbv2.url)
    group_arn = created["group"]["TargetGroupArn"]
    async with open_page(tmp_path / "profile") as page:
        await page.goto(dashboard.url)
        rows = page.locator('[data-testid="target-row"]')
        await expect(rows).to_have_count(2)
        [first] = [d["Target"]["Id"] for d in created["health"]][:1]
        third = first.rsplit(".", 1)[0] + ".22"
        api = client("elbv2", elbv2.url)
        await asyncio.to_thread(
            api.register_targets,
            TargetGroupArn=group_arn,
            Targets=[{"Id": third, "Port": 8080}],
        )
        registered = time.monotonic()
        await expect(page.locator(f'[data-target="{third}:8080"]')).to_have_count(1, timeout=2000)
        assert time.monotonic() - registered < 1.0
