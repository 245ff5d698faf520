"""The kernel engine's hands: ``nft`` for the ruleset and its counters, ``conntrack`` for the flows
the kernel pinned, ``ss -K`` to reset one. A thin shell over the tools kube-proxy's nftables mode
and every Linux box use; all pure decisions live in :mod:`.ruleset` and the engine.

Resetting a TCP flow destroys the target's end of it (SOCK_DESTROY): the kernel sends the RST,
conntrack turns it back into the LB node's address, and the client sees a reset, as from an NLB.
A UDP "flow" is forgotten (its conntrack entry deleted), so its next datagram is routed afresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass

TOOLS = ("nft", "conntrack", "ss")
_ENDED_TCP_STATES = frozenset({"TIME_WAIT", "CLOSE", "LAST_ACK"})


class KernelPathError(Exception):
    """The kernel path cannot run here, or a tool refused; the message says which and why."""


def unavailable_reason() -> str | None:
    """Why the kernel engine cannot run on this machine, or None when it can."""
    if os.geteuid() != 0:
        return "the kernel data path needs root (nftables and conntrack)"
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        return (
            f"the kernel data path needs {', '.join(missing)}:"
            " apt-get install nftables conntrack iproute2"
        )
    return None


def kernel_table_name(owner: str) -> str:
    """The nftables table of one state dir's data plane (``owner``: the state dir): stable, so a
    restart replaces what a killed one left, and ``localnlb down`` can remove it."""
    return "localnlb_" + hashlib.blake2b(owner.encode(), digest_size=4).hexdigest()


def _listed(listing: str, name: str) -> bool:
    """Whether ``nft list tables ip`` output has table ``name``."""
    return f"table ip {name}" in listing.splitlines()


def remove_table_now(name: str) -> bool:
    """Remove table ``name`` if it is there (``localnlb down`` after a SIGKILL); True if it was."""
    if unavailable_reason() is not None:
        return False
    listing = subprocess.run(["nft", "list", "tables", "ip"], capture_output=True, text=True)
    if not _listed(listing.stdout, name):
        return False
    subprocess.run(["nft", "delete", "table", "ip", name], capture_output=True, check=False)
    return True


async def _run(*argv: str, stdin: str | None = None) -> str:
    process = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate(stdin.encode() if stdin is not None else None)
    if process.returncode != 0:
        raise KernelPathError(f"{argv[0]} failed: {err.decode(errors='replace').strip()}")
    return out.decode()


@dataclass(frozen=True, slots=True)
class KernelFlow:
    """One conntrack entry: the original direction (client -> LB node) and the reply (target ->)."""

    transport: str
    mark: int
    client: tuple[str, int]
    node: tuple[str, int]
    target: tuple[str, int]
    reply_to: tuple[str, int]  # where the target answers: the client, or the node (not preserved)


def parse_conntrack(text: str) -> list[KernelFlow]:
    """Open flows in ``conntrack -L`` lines (first src/dst/sport/dport: original; second: reply)."""
    flows = []
    for line in text.splitlines():
        words = line.split()
        if not words or words[0] not in ("tcp", "udp"):
            continue
        if words[0] == "tcp" and len(words) > 3 and words[3] in _ENDED_TCP_STATES:
            continue  # the connection is over; conntrack only remembers it for a while
        values: dict[str, list[str]] = {}
        for word in words:
            key, sep, value = word.partition("=")
            if sep:
                values.setdefault(key, []).append(value)
        try:
            src, dst = values["src"], values["dst"]
            sport, dport = values["sport"], values["dport"]
            flows.append(
                KernelFlow(
                    transport=words[0],
                    mark=int(values.get("mark", ["0"])[0]),
                    client=(src[0], int(sport[0])),
                    node=(dst[0], int(dport[0])),
                    target=(src[1], int(sport[1])),
                    reply_to=(dst[1], int(dport[1])),
                )
            )
        except (KeyError, IndexError, ValueError):
            continue
    return flows


class NftTable:
    """One nftables table of this machine's root namespace, owned by one data plane."""

    def __init__(self, name: str) -> None:
        self.name = name

    async def apply(self, script: str) -> None:
        await _run("nft", "-f", "-", stdin=script)

    async def delete(self) -> None:
        if _listed(await _run("nft", "list", "tables", "ip"), self.name):
            await _run("nft", "delete", "table", "ip", self.name)

    async def counters(self) -> dict[str, tuple[int, int]]:
        """Named counters: name -> (packets, bytes)."""
        out = await _run("nft", "-j", "list", "counters", "table", "ip", self.name)
        counters = {}
        for item in json.loads(out).get("nftables", []):
            counter = item.get("counter")
            if counter is not None:
                counters[counter["name"]] = (int(counter["packets"]), int(counter["bytes"]))
        return counters


async def kernel_flows(mark: int) -> list[KernelFlow]:
    """Open flows whose ct mark has the bits of ``mark`` (the engine's 'ours' bit)."""
    out = await _run("conntrack", "-L", "--mark", f"{mark}/{mark}")
    return parse_conntrack(out)


async def reset_flow(flow: KernelFlow) -> None:
    if flow.transport == "tcp":
        target, peer = flow.target, flow.reply_to
        await _run("ss", "-K", "-t", "-n", "src", f"{target[0]}:{target[1]}", "dst",
                   f"{peer[0]}:{peer[1]}")  # fmt: skip
        return
    with contextlib.suppress(KernelPathError):  # already gone: nothing to forget
        await _run(
            "conntrack", "-D", "-p", "udp",
            "--orig-src", flow.client[0], "--orig-dst", flow.node[0],
            "--sport", str(flow.client[1]), "--dport", str(flow.node[1]),
        )  # fmt: skip
