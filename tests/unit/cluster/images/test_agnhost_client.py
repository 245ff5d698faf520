"""agnhost's client subcommands: connect's outcomes and its refusal to dial off 127/8, the
resolv.conf readers. Only numeric addresses here: a name would ask the host's resolver."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from localnlb.cluster.images import agnhost, agnhost_client

pytestmark = pytest.mark.timeout(10)


@pytest.fixture
def listening() -> Iterator[int]:
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server.getsockname()[1]


def test_connect_exits_0_when_a_connection_works(listening: int) -> None:
    assert agnhost.main(["connect", f"127.0.0.1:{listening}", "--timeout=2s"]) == 0


def test_connect_from_the_pod_ip_as_source(listening: int) -> None:
    assert agnhost_client.connect(f"127.0.0.1:{listening}", timeout=2, source="127.0.0.1") == 0


def test_connect_refused_prints_its_class(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
    assert agnhost.main(["connect", f"127.0.0.1:{port}"]) == 1
    assert capsys.readouterr().err.startswith(f"REFUSED: dial tcp 127.0.0.1:{port}: ")


def test_connect_never_dials_off_loopback(capsys: pytest.CaptureFixture[str]) -> None:
    assert agnhost.main(["connect", "192.0.2.1:80"]) == 1
    assert capsys.readouterr().err == (
        "OTHER: refusing to dial 192.0.2.1: outside 127.0.0.0/8 (localnlb)\n"
    )


def test_connect_bad_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert agnhost.main(["connect", "127.0.0.1"]) == 1
    assert "missing port in address" in capsys.readouterr().err
    assert agnhost.main(["connect", "127.0.0.1:80", "--timeout=soon"]) == 1
    assert 'time: invalid duration "soon"' in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "seconds"), [("5s", 5.0), ("500ms", 0.5), ("1m", 60.0), ("2", 2.0)]
)
def test_durations_as_go_spells_them(text: str, seconds: float) -> None:
    assert agnhost_client.parse_duration(text) == seconds


def test_resolv_conf_values() -> None:
    text = (
        "# written by localnlb\nnameserver 127.18.192.10\nsearch ui.svc.cluster.local "
        "svc.cluster.local cluster.local\noptions ndots:5\n"
    )
    assert agnhost_client.resolv_conf_values("nameserver", text) == ["127.18.192.10"]
    assert agnhost_client.resolv_conf_values("search", text) == [
        "ui.svc.cluster.local",
        "svc.cluster.local",
        "cluster.local",
    ]


def test_resolve_prints_a_numeric_address(capsys: pytest.CaptureFixture[str]) -> None:
    assert agnhost.main(["resolve", "127.0.0.9"]) == 0
    assert capsys.readouterr().out == "127.0.0.9\n"
