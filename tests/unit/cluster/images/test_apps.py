"""The built-in apps' pure parts: the ui's page, agnhost's UDP answers, where apps listen."""

from __future__ import annotations

import pytest

from localnlb.cluster.images.agnhost import netexec_udp_answer
from localnlb.cluster.images.serving import bind_host, port_from_env
from localnlb.cluster.images.ui import render_home

IDENTITY = {
    "pod": "ui-6d5bb7b95-x2x7f",
    "namespace": "ui",
    "ip": "127.42.1.7",
    "node": "ip-127-42-0-10.us-west-2.compute.internal",
    "zone": "us-west-2a",
}


def test_home_has_one_greppable_line_naming_pod_ip_node_and_zone() -> None:
    page = render_home(IDENTITY)
    lines = [line for line in page.splitlines() if line.startswith("localnlb-ui ")]
    assert lines == [
        "localnlb-ui pod=ui-6d5bb7b95-x2x7f ip=127.42.1.7 "
        "node=ip-127-42-0-10.us-west-2.compute.internal zone=us-west-2a"
    ]
    assert "<title>Retail Store Sample</title>" in page


def test_home_escapes_what_it_shows() -> None:
    page = render_home({**IDENTITY, "pod": "<script>"})
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize(
    ("message", "answer"),
    [
        (b"hostname", b"pod-a"),
        (b"hostname\n", b"pod-a"),
        (b"echo hello world", b"hello world"),
        (b"clientip", b"127.0.0.9:5555"),
        (b"anything else", b"anything else"),
        (b"\xff\xfe", b"\xff\xfe"),
    ],
)
def test_netexec_udp_answers(
    message: bytes, answer: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOSTNAME", "pod-a")
    assert netexec_udp_answer(message, ("127.0.0.9", 5555)) == answer


def test_apps_bind_the_pod_ip_from_the_kubelet_then_pod_ip_then_loopback() -> None:
    assert bind_host({"LOCALNLB_POD_IP": "127.42.1.7", "POD_IP": "127.9.9.9"}) == "127.42.1.7"
    assert bind_host({"POD_IP": "127.9.9.9"}) == "127.9.9.9"
    assert bind_host({}) == "127.0.0.1"


def test_port_from_env_takes_the_first_valid_setting() -> None:
    assert port_from_env(8080, "SERVER_PORT", "PORT", env={}) == 8080
    assert port_from_env(8080, "SERVER_PORT", "PORT", env={"PORT": "9000"}) == 9000
    env = {"SERVER_PORT": "9100", "PORT": "9000"}
    assert port_from_env(8080, "SERVER_PORT", "PORT", env=env) == 9100
    assert port_from_env(8080, "SERVER_PORT", env={"SERVER_PORT": "http"}) == 8080
    assert port_from_env(8080, "SERVER_PORT", env={"SERVER_PORT": "70000"}) == 8080
