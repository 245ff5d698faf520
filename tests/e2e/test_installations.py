"""Two installations never cross (issue 21, item 1): a state dir whose VPC octet another running
installation holds refuses to start, naming that installation, before it binds anything."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from localnlb.common import statedir
from localnlb.common.octet_claims import octet_refusal
from tests.helpers.octets import random_octet

pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]


def localnlb(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "localnlb", *args],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
        env=env,
    )


def test_a_second_installation_on_a_full_slice_refuses_to_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    monkeypatch.setenv(statedir.VPC_OCTETS_VARIABLE, str(random_octet()))
    env = dict(os.environ)
    started = localnlb("elbv2", "--detach", "--state-dir", str(first), env=env)
    assert started.returncode == 0, started.stderr + started.stdout
    try:
        for command in (["up"], ["up", "--detach"], ["elbv2"], ["cluster"]):
            refused = localnlb(*command, "--state-dir", str(second), env=env)
            assert refused.returncode == 2, (command, refused.stdout, refused.stderr)
            assert f"in use by the localnlb running for {first}" in refused.stderr, command
        assert not (second / statedir.ENV_FILE).exists()
    finally:
        stopped = localnlb("down", "--state-dir", str(first), env=env)
        assert stopped.returncode == 0, stopped.stderr
    # Once the first has stopped, the octet is free for the second.
    assert octet_refusal(second) is None
