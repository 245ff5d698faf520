"""Two installations never share a VPC octet (issue 21, item 1): claims are flocks that the
kernel drops with their process, checked and taken under one guard."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from localnlb.common import statedir
from localnlb.common.octet_claims import CLAIMS_DIR_VARIABLE, OctetInUse, claim_vpc_octet
from tests.helpers.octets import random_octet

HOLD = """
import sys, time
from pathlib import Path
from localnlb.common.octet_claims import claim_vpc_octet
claim = claim_vpc_octet(Path(sys.argv[1]))
print(claim.octet, flush=True)
time.sleep(120)
"""


@pytest.fixture
def one_octet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """A slice of one octet and a claims folder of this test's own."""
    octet = random_octet()
    monkeypatch.setenv(statedir.VPC_OCTETS_VARIABLE, str(octet))
    monkeypatch.setenv(CLAIMS_DIR_VARIABLE, str(tmp_path / "claims"))
    return octet


def test_the_second_state_dir_on_a_full_slice_is_refused_naming_the_first(
    tmp_path: Path, one_octet: int
) -> None:
    with claim_vpc_octet(tmp_path / "first") as first:
        assert first.octet == one_octet
        with pytest.raises(statedir.ConfigurationError, match=str(tmp_path / "first")):
            claim_vpc_octet(tmp_path / "second")
        # The first's other components share its claim.
        with claim_vpc_octet(tmp_path / "first") as again:
            assert again.octet == one_octet
    with claim_vpc_octet(tmp_path / "second") as second:  # released: free again
        assert second.octet == one_octet


def test_a_recorded_octet_held_by_another_is_refused_with_its_name(
    tmp_path: Path, one_octet: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    with claim_vpc_octet(tmp_path / "old"):
        pass  # "old" has recorded the octet
    refusal = f"127.{one_octet}.0.0/16 of {tmp_path / 'old'}"
    with claim_vpc_octet(tmp_path / "other"), pytest.raises(OctetInUse, match=refusal):
        claim_vpc_octet(tmp_path / "old")


def test_a_killed_holder_leaves_no_claim_behind(tmp_path: Path, one_octet: int) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path / "crashed")],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    ) as holder:
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline().strip() == str(one_octet)
            with pytest.raises(statedir.ConfigurationError, match=str(tmp_path / "crashed")):
                claim_vpc_octet(tmp_path / "next")
        finally:
            holder.send_signal(signal.SIGKILL)
            holder.wait(timeout=10)
    deadline = time.monotonic() + 10
    while True:  # the kernel drops the flock once the process is gone
        try:
            with claim_vpc_octet(tmp_path / "next") as claim:
                assert claim.octet == one_octet
            break
        except statedir.ConfigurationError:
            if time.monotonic() > deadline:
                raise


def test_a_new_state_dir_passes_over_an_octet_some_program_has_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    low = random_octet()
    monkeypatch.setenv(CLAIMS_DIR_VARIABLE, str(tmp_path / "claims"))
    with socket.socket() as squatter:
        squatter.bind((f"127.{low}.3.3", 0))
        squatter.listen()
        neighbour = low + 1 if low < 239 else low - 1
        first, last = sorted((low, neighbour))
        monkeypatch.setenv(statedir.VPC_OCTETS_VARIABLE, f"{first}-{last}")
        for index in range(4):
            with claim_vpc_octet(tmp_path / f"dir{index}") as claim:
                assert claim.octet == neighbour
