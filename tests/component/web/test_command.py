"""``localnlb dashboard`` as the supervisor runs it: a process that serves the page, records its
URL in DIR/env, announces readiness, follows sources that appear later, and stops on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from localnlb.common import statedir
from localnlb.common.supervisor.announce import READY_FILE_VARIABLE
from tests.helpers.processes import ProcessGroup
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.timeout(60)


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_serves_records_its_url_announces_and_stops_on_sigterm(
    processes: ProcessGroup, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    ready = tmp_path / "ready.json"
    process = processes.start(
        [sys.executable, "-m", "localnlb", "dashboard", "--state-dir", str(state)],
        env={**os.environ, READY_FILE_VARIABLE: str(ready)},
        name="dashboard",
    )
    announced = wait_until(
        lambda: json.loads(ready.read_text()) if ready.exists() else None,
        timeout=20,
        what="the readiness announcement",
    )
    url = announced["endpoints"]["http"]
    assert statedir.read_env(state)["LOCALNLB_DASHBOARD_URL"] == url
    assert url.startswith("http://127.0.0.1:")

    status, page = fetch(url)
    assert status == 200
    assert 'src="/static/dashboard.js"' in page
    for asset in ("dashboard.js", "dashboard.css"):
        assert fetch(f"{url}/static/{asset}")[0] == 200
    assert fetch(f"{url}/static/../../cli/main.py")[0] == 404
    assert fetch(f"{url}/static/missing.js")[0] == 404
    status, body = fetch(f"{url}/api/scene")
    scene = json.loads(body)
    sources = {s["name"]: s for s in scene["sources"]}
    assert sources["elbv2"] == {
        "name": "elbv2",
        "ok": False,
        "detail": "no ELBv2 endpoint in DIR/env yet",
    }

    # A component that starts later is found through DIR/env (here: an endpoint that refuses).
    statedir.update_env(state, {"AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2": "http://127.0.0.1:9"})

    def elbv2_detail() -> str | None:
        found = json.loads(fetch(f"{url}/api/scene")[1])["sources"]
        detail = next(s["detail"] for s in found if s["name"] == "elbv2")
        return detail if detail.startswith("http://127.0.0.1:9") else None

    wait_until(elbv2_detail, timeout=10, what="the ELBv2 source read from DIR/env")

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0


def test_refuses_a_host_outside_loopback(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "localnlb",
            "dashboard",
            "--state-dir",
            str(tmp_path),
            "--host",
            "0.0.0.0",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert "127.0.0.0/8" in done.stderr


def test_next_to_localnlb_elbv2_it_finds_the_api_and_the_data_plane_through_dir_env(
    processes: ProcessGroup, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    processes.start(
        [
            sys.executable,
            "-m",
            "localnlb",
            "elbv2",
            "--state-dir",
            str(state),
            "--hosts-file",
            str(tmp_path / "hosts"),
            "--dataplane-workers",
            "0",
        ],
        name="elbv2",
    )
    processes.start(
        [sys.executable, "-m", "localnlb", "dashboard", "--state-dir", str(state)],
        name="dashboard",
    )
    env = wait_until(
        lambda: (lambda e: e if e.get("LOCALNLB_DASHBOARD_URL") else None)(
            statedir.read_env(state)
        ),
        timeout=30,
        what="the dashboard's URL in DIR/env",
    )

    def live_sources() -> set[str] | None:
        found = json.loads(fetch(f"{env['LOCALNLB_DASHBOARD_URL']}/api/scene")[1])["sources"]
        live = {s["name"] for s in found if s["ok"]}
        return live if {"elbv2", "data plane metrics"} <= live else None

    live = wait_until(live_sources, timeout=30, what="the ELBv2 API and data plane reached")
    assert "kubernetes" not in live  # no cluster here, and the page says so


def test_a_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "localnlb",
                "dashboard",
                "--state-dir",
                str(tmp_path),
                "--port",
                str(port),
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert done.returncode == 1
    assert f"cannot bind 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr
    assert "LOCALNLB_DASHBOARD_URL" not in statedir.read_env(tmp_path)
