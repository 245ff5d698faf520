"""LB DNS names that resolve on this machine: a managed block in the hosts file (ARCHITECTURE §3).

The block is delimited by ``# BEGIN localnlb <state dir>`` and ``# END localnlb <state dir>``, so
several state dirs each own their block and nothing else in the file is touched. Each active load
balancer's DNS name maps to its LB node addresses (one line per address). Rewrites are atomic
where the file allows it (write a sibling, rename); /etc/hosts inside a container is often a bind
mount that cannot be renamed over, so then the file is rewritten in place.

:func:`render_block` and :func:`replace_block` are pure; :class:`HostsFile` is the thin shell.
When the file is not writable, :class:`HostsFile` says so once, with the alternative
(``curl --resolve NAME:PORT:ADDRESS``), and the data plane carries on.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Mapping
from pathlib import Path

DEFAULT_HOSTS_PATH = Path("/etc/hosts")
# Points every data plane started from this environment at another file (tests, sandboxes).
HOSTS_FILE_VARIABLE = "LOCALNLB_HOSTS_FILE"
log = logging.getLogger(__name__)


def default_hosts_path() -> Path:
    return Path(os.environ.get(HOSTS_FILE_VARIABLE) or DEFAULT_HOSTS_PATH)


def block_markers(owner: str) -> tuple[str, str]:
    return f"# BEGIN localnlb {owner}", f"# END localnlb {owner}"


def render_block(owner: str, names: Mapping[str, tuple[str, ...]]) -> str:
    begin, end = block_markers(owner)
    lines = [begin]
    for name in sorted(names):
        lines += [f"{address} {name}" for address in names[name]]
    lines.append(end)
    return "\n".join(lines) + "\n"


def replace_block(text: str, owner: str, block: str | None) -> str:
    """``text`` with the owner's block replaced by ``block`` (None or "" removes it)."""
    begin, end = block_markers(owner)
    kept: list[str] = []
    inside = False
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\n")
        if stripped == begin:
            inside = True
            continue
        if inside:
            if stripped == end:
                inside = False
            continue
        kept.append(line)
    result = "".join(kept)
    if result and not result.endswith("\n"):
        result += "\n"
    return result + (block or "")


class HostsFile:
    def __init__(self, path: Path, *, owner: str) -> None:
        self.path = path
        self.owner = owner
        self._last: str | None = None
        self._warned = False

    def publish(self, names: Mapping[str, tuple[str, ...]]) -> bool:
        block = render_block(self.owner, names) if names else None
        if block == self._last:
            return True
        ok = self._rewrite(block)
        if ok:
            self._last = block
        return ok

    def remove(self) -> bool:
        ok = self._rewrite(None)
        self._last = None
        return ok

    def _rewrite(self, block: str | None) -> bool:
        try:
            current = self.path.read_text() if self.path.exists() else ""
            updated = replace_block(current, self.owner, block)
            if updated == current:
                return True
            _write_atomically(self.path, updated)
        except OSError as exc:
            if not self._warned:
                self._warned = True
                log.warning(
                    "cannot update %s (%s): load balancer DNS names will not resolve here; "
                    "use the node addresses instead, e.g. curl --resolve NAME:PORT:ADDRESS "
                    "(localnlb status lists them)",
                    self.path,
                    exc,
                )
            return False
        return True


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.localnlb-{os.getpid()}")
    try:
        before = path.stat() if path.exists() else None
        temporary.write_text(text)
        # The new file keeps the old one's mode and owner: only the block changes.
        os.chmod(temporary, before.st_mode & 0o7777 if before else 0o644)
        if before is not None:
            with contextlib.suppress(OSError):
                os.chown(temporary, before.st_uid, before.st_gid)
        temporary.replace(path)
    except OSError:
        temporary.unlink(missing_ok=True)
        # A bind-mounted /etc/hosts (containers) cannot be replaced: rewrite it in place.
        path.write_text(text)
