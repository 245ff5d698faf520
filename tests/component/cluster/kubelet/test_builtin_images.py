"""Pods of the built-in images really run, on their pod IPs, as the workshop expects."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from localnlb.cluster.kubelet.logs import container_log_path
from tests.component.cluster.kubelet.conftest import (
    NODE,
    Kubelet,
    context_for,
    make_pod,
    pid_gone,
    pod_ip,
    until,
)
from tests.helpers.waiting import async_wait_until


async def http_get(url: str) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(url, allow_redirects=False) as response,
    ):
        return response.status, await response.text()


def workshop_ui_pod(workshop_dir: Path, name: str) -> dict[str, Any]:
    deployment = yaml.safe_load(
        (workshop_dir / "manifests/base-application/ui/deployment.yaml").read_text()
    )
    template = deployment["spec"]["template"]
    return {
        "metadata": {**template["metadata"], "name": name, "namespace": "ui", "uid": f"uid-{name}"},
        "spec": {**template["spec"], "nodeName": NODE},
    }


@pytest.mark.timeout(30)
async def test_workshop_ui_pod_serves_home_naming_itself_on_its_pod_ip(
    kubelet: Kubelet, workshop_dir: Path
) -> None:
    ip = pod_ip()
    pod = workshop_ui_pod(workshop_dir, "ui-6d5bb7b95-x2x7f")
    context = context_for(ip, config_maps={"ui": {"RETAIL_UI_ENDPOINTS_CATALOG": "http://c"}})
    started = time.monotonic()
    worker = await kubelet.core.sync_pod(pod, context)

    status, body = await async_wait_until(
        lambda: http_get(f"http://{ip}:8080/home"), timeout=10, what="ui /home answers"
    )
    listening_after = time.monotonic() - started
    assert status == 200
    assert f"localnlb-ui pod=ui-6d5bb7b95-x2x7f ip={ip} node={NODE} zone=us-west-2a" in body
    assert listening_after < 5  # measured ~0.3-0.5 s: no JVM warm-up
    assert await http_get(f"http://{ip}:8080/") == (302, "302: Found")
    assert (await http_get(f"http://{ip}:8080/actuator/health/liveness"))[1] == '{"status": "UP"}'
    assert (await http_get(f"http://{ip}:8080/actuator/health/readiness"))[1] == '{"status": "UP"}'
    _, metrics = await http_get(f"http://{ip}:8080/actuator/prometheus")
    assert (
        'http_server_requests_seconds_count{method="GET",outcome="SUCCESS",'
        'status="200",uri="/home"} 1.0' in metrics
    )

    uid = pod["metadata"]["uid"]
    await until(lambda: kubelet.sink.container(uid).get("ready") is True, what="ui Ready")
    latest = kubelet.sink.latest(uid)
    assert latest is not None
    assert latest["phase"] == "Running"
    assert latest["podIP"] == ip
    assert {c["type"]: c["status"] for c in latest["conditions"]}["Ready"] == "True"

    log = container_log_path(kubelet.log_root, pod, "ui")
    assert "GET /home" in log.read_text()

    pid = worker.processes["ui"].pid
    await kubelet.core.remove_pod(uid)
    assert pid_gone(pid)
    final = kubelet.sink.container(uid)
    assert final["state"]["terminated"]["reason"] == "Completed"  # it handled SIGTERM


@pytest.mark.timeout(30)
async def test_agnhost_netexec_http_udp_and_tcp_echo(kubelet: Kubelet) -> None:
    ip = pod_ip()
    pod = make_pod(
        "netexec-1",
        [
            {
                "name": "agnhost",
                "image": "registry.k8s.io/e2e-test-images/agnhost:2.47",
                "args": ["netexec", "--http-port=8080", "--udp-port=8081", "--tcp-port=8082"],
                "ports": [{"name": "http", "containerPort": 8080}],
                "readinessProbe": {
                    "httpGet": {"path": "/readyz", "port": "http"},
                    "periodSeconds": 1,
                },
                "livenessProbe": {
                    "tcpSocket": {"port": 8080},
                    "periodSeconds": 1,
                    "initialDelaySeconds": 1,
                },
            }
        ],
    )
    uid = pod["metadata"]["uid"]
    await kubelet.core.sync_pod(pod, context_for(ip))
    await until(lambda: kubelet.sink.container(uid).get("ready") is True, what="readiness passes")
    assert await http_get(f"http://{ip}:8080/hostname") == (200, "netexec-1")
    status, client = await http_get(f"http://{ip}:8080/clientip")
    assert status == 200
    assert client.startswith("127.")
    assert await http_get(f"http://{ip}:8080/echo?msg=hello") == (200, "hello")

    loop = asyncio.get_running_loop()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.setblocking(False)
        udp.connect((ip, 8081))
        for message, answer in ((b"hostname", b"netexec-1"), (b"echo hi", b"hi"), (b"raw", b"raw")):
            await loop.sock_sendall(udp, message)
            assert await asyncio.wait_for(loop.sock_recv(udp, 100), 2) == answer

    reader, writer = await asyncio.open_connection(ip, 8082)
    writer.write(b"ping-tcp")
    assert await asyncio.wait_for(reader.readexactly(8), 2) == b"ping-tcp"
    writer.close()

    # the probes really ran against it (the access log shows the kubelet's user agent)
    log = container_log_path(kubelet.log_root, pod, "agnhost")
    assert "kube-probe/" in log.read_text()
    assert kubelet.sink.container(uid)["restartCount"] == 0
