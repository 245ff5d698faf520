"""Which running installation holds which VPC octet: two state dirs never share 127.V.0.0/16.

Each state dir has its own VPC, ``127.V.0.0/16`` (:mod:`localnlb.common.addressing`). Two
installations that drew the same ``V`` would bind the same LB node and pod addresses, and with
SO_REUSEPORT the kernel would then split one installation's connections between both, silently.
So the processes that bind VPC addresses (the ELBv2 service with its LB nodes, the cluster with
its nodes and pods) *claim* the octet for as long as they run:

- a claim is a shared ``flock`` on ``<tmp>/localnlb-vpc-octets/<V>`` whose content names the
  state dir that holds it; the kernel drops the lock when the last holder's process ends, crash
  or not, so a stale claim cannot outlive its installation;
- every check-and-claim runs under one machine-wide guard lock, so two installations starting at
  once cannot both take a free octet;
- a new state dir passes over octets held by others and octets where some other program already
  has a socket bound (read from ``/proc/net``), and is refused when none is left; a state dir
  whose recorded octet another installation holds is refused with that installation's name.
"""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import os
import socket
import struct
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from localnlb.common import statedir

CLAIMS_DIR_VARIABLE = "LOCALNLB_OCTET_CLAIMS_DIR"  # tests point it at a folder of their own
_PROC_SOCKET_TABLES = ("/proc/net/tcp", "/proc/net/udp")


class OctetInUse(statedir.ConfigurationError):
    """The octet this state dir needs is held by another running installation."""


class OctetClaim:
    """A held claim on one octet; :meth:`release` (or the process's end) gives it up."""

    def __init__(self, octet: int, state_dir: Path, descriptor: int) -> None:
        self.octet = octet
        self.state_dir = state_dir
        self._descriptor: int | None = descriptor

    def release(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)  # closing the description drops its flock
            self._descriptor = None

    def __enter__(self) -> OctetClaim:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


def claims_dir() -> Path:
    configured = os.environ.get(CLAIMS_DIR_VARIABLE)
    folder = Path(configured) if configured else Path(tempfile.gettempdir()) / "localnlb-vpc-octets"
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        # Installations of every user on the machine must see each other's claims.
        with contextlib.suppress(OSError):
            folder.chmod(0o1777)
    return folder


def claim_vpc_octet(state_dir: Path) -> OctetClaim:
    """Claim the state dir's octet (choosing a free one for a new state dir) or raise
    :class:`OctetInUse` / :class:`~localnlb.common.statedir.ConfigurationError` saying why."""
    folder = claims_dir()
    with _guard(folder):
        sockets = _socket_table_lines()

        def unavailable(candidate: int) -> str | None:
            holder = _holder(folder, candidate)
            if holder not in (None, state_dir):
                return f"is in use by the localnlb running for {holder}"
            bound = bound_in(candidate, sockets)
            return f"has sockets of another program ({', '.join(bound[:3])})" if bound else None

        octet = statedir.vpc_octet_for(state_dir, unavailable=unavailable)
        holder = _holder(folder, octet)
        if holder not in (None, state_dir):
            raise OctetInUse(
                f"the VPC 127.{octet}.0.0/16 of {state_dir} is in use by the localnlb running"
                f" for {holder}: stop that one first (localnlb down --state-dir {holder})"
            )
        return OctetClaim(octet, state_dir, _take(folder, octet, state_dir))


def _holder(folder: Path, octet: int) -> Path | None:
    """The state dir of the running installation that holds ``octet``, or None."""
    path = folder / str(octet)
    if not path.exists():
        return None
    descriptor = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return Path(path.read_text().strip() or "?")
        return None  # nobody holds it; our probe lock goes with the close below
    finally:
        os.close(descriptor)


def _take(folder: Path, octet: int, state_dir: Path) -> int:
    path = folder / str(octet)
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except PermissionError:  # another user's stale file: a read-only description locks too
        descriptor = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with contextlib.suppress(OSError):
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, f"{state_dir}\n".encode(), 0)
        fcntl.flock(descriptor, fcntl.LOCK_SH)
    except BlockingIOError:
        # Held already by this same installation (its other component): share it.
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


@contextlib.contextmanager
def _guard(folder: Path) -> Iterator[None]:
    descriptor = os.open(folder / ".guard", os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def _socket_table_lines() -> list[str]:
    lines: list[str] = []
    for table in _PROC_SOCKET_TABLES:
        with contextlib.suppress(OSError):
            lines += Path(table).read_text().splitlines()[1:]
    return lines


def bound_in(octet: int, table_lines: Iterable[str]) -> list[str]:
    """The ``address:port`` of every socket in ``/proc/net/{tcp,udp}`` lines bound inside
    ``127.<octet>.0.0/16``. Pure: the caller reads the tables."""
    network = ipaddress.IPv4Network(f"127.{octet}.0.0/16")
    found: list[str] = []
    for line in table_lines:
        fields = line.split()
        if len(fields) < 2 or ":" not in fields[1]:
            continue
        address_hex, _, port_hex = fields[1].partition(":")
        try:
            # The kernel prints the address as the host-order integer of network-order bytes.
            address = socket.inet_ntoa(struct.pack("=I", int(address_hex, 16)))
            port = int(port_hex, 16)
        except (ValueError, struct.error):
            continue
        if ipaddress.IPv4Address(address) in network:
            found.append(f"{address}:{port}")
    return found


def octet_refusal(state_dir: Path) -> str | None:
    """Why this state dir cannot start now (its octet is another's, or none is free), or None.

    Commands ask before they start their components, so that the user reads the reason at once
    rather than in a component's log; the components then claim the octet for themselves.
    """
    try:
        claim_vpc_octet(state_dir).release()
    except statedir.ConfigurationError as error:
        return str(error)
    return None
