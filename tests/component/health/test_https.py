"""HTTPS checks: no certificate verification, TLS 1.2 at most, PROXY header before the handshake."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from localnlb.common.proxyprotocol import Command
from localnlb.elbv2.health.plan import build_check_plan
from localnlb.elbv2.health.probes import CLOSE_GRACE_SECONDS, probe
from localnlb.elbv2.health.scheduler import HealthCheckScheduler
from localnlb.elbv2.model.target_health import TargetHealthState
from tests.component.health.backends import Backend
from tests.component.health.conftest import wait_for_state
from tests.unit.health.builders import TG_ARN, http_check, snapshot, target, target_group

StartBackend = Callable[..., Awaitable[Backend]]
pytestmark = pytest.mark.timeout(20)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate, as targets behind an NLB often have."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a test certificate")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=target.invalid", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return cert, key


def server_tls(certificate: tuple[Path, Path], *, tls13_only: bool = False) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    if tls13_only:
        context.minimum_version = ssl.TLSVersion.TLSv1_3
    return context


@pytest.mark.asyncio
async def test_https_check_passes_against_a_self_signed_target(
    scheduler: HealthCheckScheduler, start_backend: StartBackend, certificate: tuple[Path, Path]
) -> None:
    backend = await start_backend("127.42.2.10", http_status=200, tls=server_tls(certificate))
    group = target_group(target(backend.address, backend.port), health_check=http_check(https=True))
    scheduler.update(snapshot(group))
    await wait_for_state(
        scheduler, (TG_ARN, backend.address, backend.port), TargetHealthState.HEALTHY
    )
    assert backend.seen[0].headers["host"] == "127.42.0.100:80"


@pytest.mark.asyncio
async def test_https_check_fails_against_a_tls13_only_target(
    scheduler: HealthCheckScheduler, start_backend: StartBackend, certificate: tuple[Path, Path]
) -> None:
    backend = await start_backend(
        "127.42.2.11", http_status=200, tls=server_tls(certificate, tls13_only=True)
    )
    group = target_group(target(backend.address, backend.port), health_check=http_check(https=True))
    scheduler.update(snapshot(group))
    await wait_for_state(
        scheduler, (TG_ARN, backend.address, backend.port), TargetHealthState.UNHEALTHY
    )


@pytest.mark.asyncio
async def test_https_with_proxy_protocol_sends_the_header_before_the_handshake(
    scheduler: HealthCheckScheduler, start_backend: StartBackend, certificate: tuple[Path, Path]
) -> None:
    backend = await start_backend(
        "127.42.2.12", http_status=200, tls=server_tls(certificate), expect_proxy_protocol=True
    )
    group = target_group(
        target(backend.address, backend.port),
        health_check=http_check(https=True),
        proxy_protocol_v2=True,
    )
    scheduler.update(snapshot(group))
    await wait_for_state(
        scheduler, (TG_ARN, backend.address, backend.port), TargetHealthState.HEALTHY
    )
    header = backend.seen[0].proxy_header
    assert header is not None
    assert header.command is Command.LOCAL


@pytest.mark.asyncio
async def test_https_check_against_a_target_that_never_handshakes_gives_up_in_time(
    start_backend: StartBackend,
) -> None:
    backend = await start_backend("127.42.2.13", silent=True)  # accepts, never speaks TLS
    group = target_group(target(backend.address, backend.port), health_check=http_check(https=True))
    (planned,) = build_check_plan(snapshot(group), time_scale=0.1).values()
    started = time.monotonic()
    result = await probe(planned.check)
    assert not result.passed
    assert "no answer within 0.2s" in result.detail
    assert time.monotonic() - started < 0.2 + CLOSE_GRACE_SECONDS + 0.5
