"""The page in headless Chromium, fed realistic scenes through the real server and SSE stream.

The hub gets workshop-shaped inputs (tests/unit/web/workshop.py) directly, so these tests check
what the page shows and how fast, independently of the other components (the e2e test drives
the whole system).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import expect

from localnlb.common.clock import SystemClock
from localnlb.web.hub import SceneHub
from localnlb.web.server import DashboardServer
from localnlb.web.traffic import Counters, LbTargetKey, ProxyKey, TrafficSample
from tests.component.web.browser import open_page
from tests.unit.web import workshop as w

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("chromium")]

INSTANCE_TG = "k8s-ui-uinlb-inst"


@pytest.fixture
async def served() -> AsyncIterator[tuple[SceneHub, DashboardServer]]:
    hub = SceneHub(clock=SystemClock())
    server = DashboardServer(hub)
    await server.start()
    try:
        yield hub, server
    finally:
        await server.stop()


async def test_instance_targets_turn_healthy_within_a_second_of_the_snapshot(
    served: tuple[SceneHub, DashboardServer], tmp_path: Path
) -> None:
    hub, server = served
    pod = w.ui_pod(0, node=1)
    hub.set_cluster(w.cluster(pod))
    hub.set_snapshot(w.snapshot(w.instance_group(), version=1))
    async with open_page(tmp_path / "profile") as page:
        await page.goto(server.url)
        rows = page.locator('[data-testid="target-row"][data-mode="instance"]')
        await expect(rows).to_have_count(3)
        await expect(
            page.locator('[data-testid="target-row"][data-state="initial"]')
        ).to_have_count(3)
        # The state is written out (icon + text), not only coloured.
        await expect(rows.first).to_contain_text("initial")
        await expect(rows.first).to_contain_text("Elb.RegistrationInProgress")
        await expect(page.locator('[data-testid="tg-chip"]')).to_contain_text("mode instance")
        await expect(page.locator('[data-testid="pod"]')).to_have_count(1)

        started = time.monotonic()
        hub.set_snapshot(w.snapshot(w.instance_group("healthy", None), version=2))
        healthy = page.locator('[data-testid="target-row"][data-state="healthy"]')
        await expect(healthy).to_have_count(3, timeout=1000)
        assert time.monotonic() - started < 1.0
        await expect(page.locator("#timeline li[data-kind=health]")).to_have_count(3)

        group = w.instance_group("draining", "Target.DeregistrationInProgress")
        until = time.time() + 300
        group = dataclasses.replace(
            group,
            targets=tuple(dataclasses.replace(t, draining_until=until) for t in group.targets),
        )
        hub.set_snapshot(w.snapshot(group, version=3))
        draining = page.locator('[data-testid="target-row"][data-state="draining"]')
        await expect(draining).to_have_count(3)
        await expect(draining.first).to_contain_text("drains until")
        await expect(draining.first).to_contain_text("Target deregistration is in progress")
        # The timeline grew by three lines on top; the earlier lines stayed.
        await expect(page.locator("#timeline li").first).to_have_attribute("data-kind", "draining")
        await expect(page.locator("#timeline li[data-kind=health]")).to_have_count(3)


async def test_traffic_lights_its_path_with_rates_and_the_extra_hop(
    served: tuple[SceneHub, DashboardServer], tmp_path: Path
) -> None:
    hub, server = served
    pod = w.ui_pod(0, node=1)
    node_a = w.nodes()[0]
    hub.set_cluster(w.cluster(pod))
    hub.set_snapshot(w.snapshot(w.instance_group("healthy", None)))
    lb_key = LbTargetKey(w.LB_NAME, INSTANCE_TG, f"{node_a.address}:{w.NODE_PORT}", w.ZONES[0])
    proxy_key = ProxyKey(node_a.name, "ui", "ui-nlb", "http", True)
    now = time.time()
    hub.add_traffic(
        TrafficSample(now - 1, lb={lb_key: Counters(0, 0)}, proxy={proxy_key: Counters(0, 0)})
    )
    async with open_page(tmp_path / "profile") as page:
        await page.goto(server.url)
        await expect(page.locator("path.edge")).not_to_have_count(0)
        await expect(page.locator("path.edge.lit")).to_have_count(0)
        hub.add_traffic(
            TrafficSample(now, lb={lb_key: Counters(4, 8000)}, proxy={proxy_key: Counters(4, 6000)})
        )
        await expect(page.locator("path.edge.lit")).to_have_count(2, timeout=1000)
        lit_rows = page.locator('[data-testid="path-row"][data-lit="true"]')
        await expect(lit_rows).to_have_count(2)
        await expect(lit_rows.first).to_contain_text("flows/s")
        await expect(
            page.locator('[data-testid="path-row"][data-hop="node-to-pod"]')
        ).to_contain_text("extra hop")


async def test_ip_mode_reads_at_1280x800_and_in_a_narrow_window_and_works_by_keyboard(
    served: tuple[SceneHub, DashboardServer], tmp_path: Path
) -> None:
    hub, server = served
    pods = (w.ui_pod(0, node=0), w.ui_pod(1, node=1), w.ui_pod(2, node=2))
    hub.set_cluster(w.cluster(*pods))
    hub.set_snapshot(w.snapshot(w.ip_group(*pods, state="healthy")))
    requested: list[str] = []
    async with open_page(tmp_path / "wide") as page:
        page.on("request", lambda request: requested.append(request.url))
        await page.goto(server.url)
        await expect(page.locator('[data-testid="target-row"][data-mode="ip"]')).to_have_count(3)
        await expect(page.locator("path.edge")).to_have_count(3)
        assert await page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        # Keyboard: the skip link comes first, then every box of the diagram takes focus.
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.className") == "skip"
        focused = set()
        for _ in range(16):
            await page.keyboard.press("Tab")
            anchor = await page.evaluate("document.activeElement.dataset.anchor || ''")
            focused.add(anchor.split(":")[0])
        assert {"lb", "lbnode", "nodeport", "pod", "node"} <= focused, focused
        await page.locator("a.skip").focus()
        await page.keyboard.press("Enter")
        assert await page.evaluate("location.hash") == "#targets"
        assert await page.evaluate("document.activeElement.id") == "targets"
    # Offline: every request went to the dashboard itself.
    assert {urlsplit(url).netloc for url in requested} == {urlsplit(server.url).netloc}
    async with open_page(tmp_path / "narrow", width=420, height=800) as page:
        await page.goto(server.url)
        await expect(page.locator('[data-testid="target-row"]')).to_have_count(3)
        assert await page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        await expect(page.locator('[data-testid="target-row"]').last).to_be_visible()


async def test_pause_holds_the_page_and_resume_shows_the_latest(
    served: tuple[SceneHub, DashboardServer], tmp_path: Path
) -> None:
    hub, server = served
    hub.set_cluster(w.cluster())
    hub.set_snapshot(w.snapshot(w.instance_group(), version=1))
    async with open_page(tmp_path / "profile") as page:
        await page.goto(server.url)
        await expect(
            page.locator('[data-testid="target-row"][data-state="initial"]')
        ).to_have_count(3)
        pause = page.get_by_role("button", name="Pause updates")
        await pause.focus()
        await page.keyboard.press("Enter")
        await expect(page.get_by_role("button", name="Resume updates")).to_have_attribute(
            "aria-pressed", "true"
        )
        received = await page.evaluate("document.body.dataset.receivedAt")
        hub.set_snapshot(w.snapshot(w.instance_group("healthy", None), version=2))
        # The page receives the new scene but does not draw it.
        await page.wait_for_function(f"document.body.dataset.receivedAt !== '{received}'")
        healthy = page.locator('[data-testid="target-row"][data-state="healthy"]')
        await expect(healthy).to_have_count(0)
        await page.get_by_role("button", name="Resume updates").click()
        await expect(healthy).to_have_count(3)


async def test_a_pending_pod_shows_apart_until_it_has_a_node(
    served: tuple[SceneHub, DashboardServer], tmp_path: Path
) -> None:
    hub, server = served
    placed = w.ui_pod(0, node=2)
    pending = dataclasses.replace(placed, node_name="", ip="", phase="Pending", ready=False)
    hub.set_cluster(w.cluster(pending))
    async with open_page(tmp_path / "profile") as page:
        await page.goto(server.url)
        unscheduled = page.locator("#unscheduled")
        await expect(unscheduled).to_be_visible()
        await expect(unscheduled).to_contain_text("Pending")
        await expect(unscheduled).to_contain_text("NotReady")
        hub.set_cluster(w.cluster(placed))
        await expect(unscheduled).to_be_hidden()
        await expect(page.locator(".zone").nth(2).locator('[data-testid="pod"]')).to_have_count(1)
