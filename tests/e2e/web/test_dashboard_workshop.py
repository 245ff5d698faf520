"""Issue 8's acceptance: the workshop's IP-mode page followed in headless Chromium.

The real kubectl, aws-free (the page is the view here) and curl drive the whole system; the
test asserts what the dashboard shows: 3 instance targets going from initial to healthy and
their paths lighting up under curl, then after the switch to ip mode 1 pod target, then 3 after
scaling, again initial → healthy and lit. Screenshots of those moments go to docs/images
(``LOCALNLB_DOC_SCREENSHOTS=1`` writes them into the work tree; otherwise into tmp_path).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from playwright.async_api import Locator, Page, expect

from tests.component.web.browser import open_page
from tests.e2e.web.conftest import System

pytestmark = [pytest.mark.timeout(180), pytest.mark.slow, pytest.mark.usefixtures("chromium")]

DOCS_IMAGES = Path(__file__).resolve().parents[3] / "docs" / "images"
NLB_DIR = "manifests/modules/exposing/load-balancer/nlb"
IP_MODE_DIR = "manifests/modules/exposing/load-balancer/ip-mode"
UI_BASE = "manifests/base-application/ui"
WAIT_MS = 30_000


async def run(system: System, script: str) -> str:
    process = await asyncio.create_subprocess_exec(
        "bash",
        "-o",
        "pipefail",
        "-c",
        script,
        env=system.env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, f"{script} failed: {err.decode()}"
    return out.decode()


def rows(page: Page, mode: str, state: str | None = None) -> Locator:
    selector = f'[data-testid="target-row"][data-mode="{mode}"]'
    return page.locator(selector + (f'[data-state="{state}"]' if state else ""))


async def curl_through_the_load_balancer(system: System, count: int) -> None:
    """curl http://<LB DNS name>/home, resolved to each LB node in turn (as DNS would)."""
    [lb] = system.dashboard.hub.scene.load_balancers
    for attempt in range(count):
        node = lb.nodes[attempt % len(lb.nodes)]  # as DNS answers with every LB node
        out = await run(
            system,
            f"curl -s -o /dev/null -w '%{{http_code}}' --max-time 5 "
            f"--resolve {lb.dns_name}:80:{node.address} http://{lb.dns_name}/home",
        )
        assert out == "200"


class Shots:
    def __init__(self, tmp_path: Path) -> None:
        into_docs = os.environ.get("LOCALNLB_DOC_SCREENSHOTS") == "1"
        self.directory = DOCS_IMAGES if into_docs else tmp_path / "images"
        self.directory.mkdir(parents=True, exist_ok=True)

    async def take(self, page: Page, name: str) -> None:
        await page.screenshot(path=str(self.directory / f"dashboard-{name}.png"), full_page=True)


async def test_the_workshop_flow_as_the_dashboard_shows_it(
    system: System, workshop_dir: Path, tmp_path: Path
) -> None:
    shots = Shots(tmp_path)
    await run(system, f"kubectl apply -k {workshop_dir / UI_BASE}")
    await run(
        system,
        "kubectl wait --for=condition=Ready pod -n ui -l app.kubernetes.io/name=ui --timeout=60s",
    )
    async with open_page(tmp_path / "profile") as page:
        await page.goto(system.dashboard.url)
        await expect(page.locator('[data-testid="pod"]')).to_have_count(1, timeout=WAIT_MS)

        # Instance mode: one target per node, on the NodePort.
        await run(
            system, f"kubectl kustomize {workshop_dir / NLB_DIR} | envsubst | kubectl apply -f -"
        )
        await expect(rows(page, "instance", "initial")).to_have_count(3, timeout=WAIT_MS)
        await expect(rows(page, "instance").first).to_contain_text("Elb.")
        await shots.take(page, "instance-initial")
        await expect(rows(page, "instance", "healthy")).to_have_count(3, timeout=WAIT_MS)
        # No client yet: the LB node → NodePort paths are idle. (kube-proxy's hop already
        # counts the NLB's health checks, which connect through the NodePort too.)
        lit = page.locator('[data-testid="path-row"][data-lit="true"]')
        await expect(lit.and_(page.locator('[data-hop="lb-to-node"]'))).to_have_count(0)
        await curl_through_the_load_balancer(system, 5)
        await expect(lit.and_(page.locator('[data-hop="lb-to-node"]'))).not_to_have_count(
            0, timeout=WAIT_MS
        )
        await expect(lit.and_(page.locator('[data-hop="node-to-pod"]'))).not_to_have_count(
            0, timeout=WAIT_MS
        )
        await shots.take(page, "instance-traffic")

        # IP mode: the pod itself is the target.
        await run(
            system,
            f"kubectl kustomize {workshop_dir / IP_MODE_DIR} | envsubst | kubectl apply -f -",
        )
        await expect(rows(page, "instance")).to_have_count(0, timeout=WAIT_MS)
        await expect(rows(page, "ip")).to_have_count(1, timeout=WAIT_MS)
        await expect(rows(page, "ip", "healthy")).to_have_count(1, timeout=WAIT_MS)
        await shots.take(page, "ip-one-target")

        await run(system, "kubectl scale -n ui deployment/ui --replicas=3")
        await run(
            system,
            "kubectl wait --for=condition=Ready pod -n ui -l app.kubernetes.io/name=ui "
            "--timeout=60s",
        )
        await expect(rows(page, "ip")).to_have_count(3, timeout=WAIT_MS)
        await expect(rows(page, "ip", "initial")).not_to_have_count(0, timeout=WAIT_MS)
        await shots.take(page, "ip-three-initial")
        await expect(rows(page, "ip", "healthy")).to_have_count(3, timeout=WAIT_MS)
        await curl_through_the_load_balancer(system, 6)
        await expect(lit.and_(page.locator('[data-hop="lb-to-pod"]'))).not_to_have_count(
            0, timeout=WAIT_MS
        )
        await expect(page.locator("#timeline li[data-kind=registration]")).not_to_have_count(0)
        await expect(page.locator("#timeline li[data-kind=reconcile]")).not_to_have_count(0)
        await shots.take(page, "ip-traffic")

        # A narrow window: zones stack, nothing scrolls sideways, the targets stay readable.
        await page.set_viewport_size({"width": 480, "height": 900})
        await expect(rows(page, "ip", "healthy")).to_have_count(3)
        assert await page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        await shots.take(page, "narrow")
