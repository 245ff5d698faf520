"""agnhost's client subcommands, which look at the network from inside a pod as e2e tests do.

- ``connect <host:port> [--timeout=5s]``: real agnhost's: open a TCP connection and exit 0, or
  print the failure prefixed with its class (``DNS``, ``REFUSED``, ``TIMEOUT``, ``OTHER``) and
  exit 1. The host is resolved by the pod's resolver (its resolv.conf: cluster DNS).
- ``dns-server-list`` and ``dns-suffix``: real agnhost's: the resolv.conf nameservers, and its
  search list, comma-separated. ``etc-hosts``: real agnhost's: ``/etc/hosts`` as it is.
- ``resolve <name>`` (a localnlb addition; real agnhost has no name lookup of its own): the
  addresses the pod's resolver gives for ``name``, one a line, or ``DNS: ...`` and exit 1.

Network safety: ``connect`` dials only 127.0.0.0/8; any other address is refused before a
packet is sent (``OTHER: ... outside 127.0.0.0/8``). The source address is the pod's IP.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import sys
from pathlib import Path
from typing import Any

from localnlb.cluster.images.serving import POD_IP_VARIABLE
from localnlb.common.addressing import in_loopback_network

RESOLV_CONF = Path("/etc/resolv.conf")
ETC_HOSTS = Path("/etc/hosts")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m)?$")
COMMANDS = frozenset({"connect", "resolve", "dns-server-list", "dns-suffix", "etc-hosts"})


def add_parsers(commands: Any) -> None:
    """Add the client subcommands to agnhost's subparsers."""
    connect_command = commands.add_parser("connect")
    connect_command.add_argument("target", metavar="host:port")
    connect_command.add_argument("--timeout", default="5s")
    connect_command.add_argument("--protocol", default="tcp", choices=["tcp"])
    commands.add_parser("resolve").add_argument("name")
    for name in ("dns-server-list", "dns-suffix", "etc-hosts"):
        commands.add_parser(name)


def run(options: argparse.Namespace) -> int:
    if options.command == "connect":
        try:
            timeout = parse_duration(options.timeout)
        except ValueError as exc:
            print(f'invalid argument "{options.timeout}" for "--timeout": {exc}', file=sys.stderr)
            return 1
        source = os.environ.get(POD_IP_VARIABLE) or None
        return connect(options.target, timeout=timeout, source=source)
    if options.command == "resolve":
        return resolve(options.name)
    if options.command == "dns-server-list":
        return print_resolv_conf("nameserver")
    if options.command == "dns-suffix":
        return print_resolv_conf("search")
    return print_etc_hosts()


def parse_duration(text: str) -> float:
    """Go's duration spelling as agnhost's flags take it (``500ms``, ``5s``, ``1m``), seconds."""
    match = _DURATION.match(text.strip())
    if match is None:
        raise ValueError(f'time: invalid duration "{text}"')
    scale = {"ms": 0.001, "s": 1.0, "m": 60.0, None: 1.0}[match.group(2)]
    return float(match.group(1)) * scale


def _split_host_port(target: str) -> tuple[str, int]:
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"address {target}: missing port in address")
    return host.strip("[]"), int(port)


def connect(target: str, *, timeout: float, source: str | None) -> int:
    try:
        host, port = _split_host_port(target)
    except ValueError as exc:
        return _fail("OTHER", str(exc))
    try:
        infos = socket.getaddrinfo(host, port, socket.AF_INET, socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return _fail("DNS", f"lookup {host}: {exc.strerror}")
    address = str(infos[0][4][0])
    if not in_loopback_network(address):
        return _fail("OTHER", f"refusing to dial {address}: outside 127.0.0.0/8 (localnlb)")
    bind_to = (source, 0) if source and in_loopback_network(source) else None
    try:
        with socket.create_connection((address, port), timeout=timeout, source_address=bind_to):
            return 0
    except ConnectionRefusedError as exc:
        return _fail("REFUSED", f"dial tcp {address}:{port}: {exc.strerror}")
    except TimeoutError:
        return _fail("TIMEOUT", f"dial tcp {address}:{port}: i/o timeout")
    except OSError as exc:
        return _fail("OTHER", f"dial tcp {address}:{port}: {exc.strerror or exc}")


def resolve(name: str) -> int:
    try:
        infos = socket.getaddrinfo(name, None, socket.AF_INET, socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return _fail("DNS", f"lookup {name}: {exc.strerror}")
    for address in dict.fromkeys(str(info[4][0]) for info in infos):
        print(address)
    return 0


def resolv_conf_values(keyword: str, text: str) -> list[str]:
    """Every value of ``keyword`` lines (``nameserver``, ``search``) in resolv.conf's text."""
    values: list[str] = []
    for line in text.splitlines():
        fields = line.split()
        if fields and fields[0] == keyword:
            values.extend(fields[1:])
    return values


def print_resolv_conf(keyword: str) -> int:
    print(",".join(resolv_conf_values(keyword, RESOLV_CONF.read_text())))
    return 0


def print_etc_hosts() -> int:
    sys.stdout.write(ETC_HOSTS.read_text())
    return 0


def _fail(kind: str, detail: str) -> int:
    print(f"{kind}: {detail}", file=sys.stderr)
    return 1
