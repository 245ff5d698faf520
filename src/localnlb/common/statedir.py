"""The state dir: where one localnlb installation keeps its stores, ports, env and kubeconfig.

``DIR`` is ``--state-dir``, else ``$LOCALNLB_STATE_DIR``, else ``~/.localnlb`` (ARCHITECTURE §6).
``DIR/env`` is sourceable shell (``export K='V'`` lines) so that after ``source DIR/env`` the real
``aws`` CLI, boto3 and ``kubectl`` talk to this installation. Several state dirs run side by side:
each records its own ports and its own VPC octet (see :mod:`localnlb.common.addressing`).

The state dir holds Secrets (the cluster store), the API token and the CA key, so it is private:
``DIR`` is 0700 and its files 0600, created so and forced so at every start
(:func:`secure_state_dir`) even when the directory existed with looser modes.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shlex
from collections.abc import Callable, Mapping
from pathlib import Path

ENV_FILE = "env"
NETWORK_FILE = "network.json"
STATE_DIR_VARIABLE = "LOCALNLB_STATE_DIR"
VPC_OCTETS_VARIABLE = "LOCALNLB_VPC_OCTETS"
# What DIR/env exports beyond the AWS client variables: one spelling for writers and readers.
ELBV2_ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2"
EC2_ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_EC2"
DATAPLANE_METRICS_VARIABLE = "LOCALNLB_DATAPLANE_METRICS_URL"
CLUSTER_METRICS_VARIABLE = "LOCALNLB_CLUSTER_METRICS_URL"
DASHBOARD_VARIABLE = "LOCALNLB_DASHBOARD_URL"
VPC_OCTETS = range(16, 240)  # 127.V.0.0/16 for V in here; the rest of 127/8 stays free
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
# Folders of DIR whose whole tree is private too: the CA and serving keys, the supervisor's run
# and log files. Pod volumes (pods/, volumes/) keep their own modes: a pod reads them through its
# bind mounts as its own user, with the modes its spec asked for.
PRIVATE_FOLDERS = ("pki", "run", "logs")


class ConfigurationError(ValueError):
    """A setting from the environment that localnlb cannot use; the message says which."""


def resolve_state_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser().resolve()
    from_env = os.environ.get(STATE_DIR_VARIABLE)
    if from_env:
        return Path(from_env).expanduser().resolve()
    return (Path.home() / ".localnlb").resolve()


def ensure_state_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    _restrict(path, PRIVATE_DIR_MODE)
    return path


def secure_state_dir(path: Path) -> list[Path]:
    """Force ``DIR`` to 0700 and its files (stores, kubeconfig, env, token, the folders of
    :data:`PRIVATE_FOLDERS`) to 0600; give what was loosened before. Symlinks are left alone
    (a chmod would follow them out of DIR)."""
    changed = [path] if _restrict(path, PRIVATE_DIR_MODE) else []
    for entry in sorted(path.iterdir()):
        if entry.is_symlink():
            continue
        if entry.is_file() and _restrict(entry, PRIVATE_FILE_MODE):
            changed.append(entry)
        elif entry.is_dir() and entry.name in PRIVATE_FOLDERS:
            changed += _secure_tree(entry)
    return changed


def _secure_tree(folder: Path) -> list[Path]:
    changed = [folder] if _restrict(folder, PRIVATE_DIR_MODE) else []
    for root, folders, files in os.walk(folder):
        for name in folders:
            if not (Path(root) / name).is_symlink() and _restrict(
                Path(root) / name, PRIVATE_DIR_MODE
            ):
                changed.append(Path(root) / name)
        for name in files:
            entry = Path(root) / name
            if not entry.is_symlink() and entry.is_file() and _restrict(entry, PRIVATE_FILE_MODE):
                changed.append(entry)
    return changed


def _restrict(path: Path, mode: int) -> bool:
    """chmod ``path`` to ``mode`` when it grants more (group or others bits); True if it did."""
    current = path.lstat().st_mode & 0o777
    if current & ~mode == 0:
        return False
    path.chmod(mode)
    return True


def create_private_file(path: Path) -> Path:
    """Make sure ``path`` exists with mode 0600 (SQLite gives its -wal and -shm files the mode of
    the database file, so a store opened after this stays private)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, PRIVATE_FILE_MODE))
    _restrict(path, PRIVATE_FILE_MODE)
    return path


def write_private_text(path: Path, text: str) -> None:
    """Write ``path`` atomically (through a sibling temporary file) with mode 0600."""
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(
        temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, PRIVATE_FILE_MODE
    )
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    _restrict(temporary, PRIVATE_FILE_MODE)
    temporary.replace(path)


def vpc_octet_range() -> range:
    """The octets new state dirs may take: ``$LOCALNLB_VPC_OCTETS`` (``LO-HI``, inclusive, inside
    16-239), else all of 16-239. A machine that runs several localnlb at once (parallel test
    workers, or other software on some 127.x) gives each its own slice."""
    text = os.environ.get(VPC_OCTETS_VARIABLE, "").strip()
    if not text:
        return VPC_OCTETS
    low, sep, high = text.partition("-")
    try:
        wanted = range(int(low), int(high) + 1) if sep else range(int(low), int(low) + 1)
    except ValueError:
        wanted = range(0)
    if not wanted or wanted.start < VPC_OCTETS.start or wanted.stop > VPC_OCTETS.stop:
        raise ConfigurationError(
            f"{VPC_OCTETS_VARIABLE}={text!r}: expected LO-HI with"
            f" {VPC_OCTETS.start} <= LO <= HI <= {VPC_OCTETS.stop - 1}"
        )
    return wanted


def vpc_octet_for(
    state_dir: Path, *, unavailable: Callable[[int], str | None] | None = None
) -> int:
    """The state dir's VPC octet: recorded on first use; a new one is derived from the state
    dir's path within :func:`vpc_octet_range`, passing over the octets for which ``unavailable``
    gives a reason (another running installation holds it: :mod:`localnlb.common.octet_claims`).
    """
    record = state_dir / NETWORK_FILE
    if record.exists():
        data = json.loads(record.read_text())
        return int(data["vpc_octet"])
    octets = vpc_octet_range()
    digest = hashlib.sha256(str(state_dir).encode()).digest()
    start = int.from_bytes(digest[:4], "big") % len(octets)
    rotation = [octets[(start + step) % len(octets)] for step in range(len(octets))]
    reasons = {octet: unavailable(octet) if unavailable else None for octet in rotation}
    free = [octet for octet in rotation if reasons[octet] is None]
    if not free:
        taken = "; ".join(f"127.{octet}.0.0/16 {reasons[octet]}" for octet in sorted(reasons))
        raise ConfigurationError(
            f"no VPC octet of {octets.start}-{octets.stop - 1} ({VPC_OCTETS_VARIABLE}) is free"
            f" for {state_dir}: {taken}. Stop one of them, or widen {VPC_OCTETS_VARIABLE}"
        )
    ensure_state_dir(state_dir)
    write_private_text(record, json.dumps({"vpc_octet": free[0]}) + "\n")
    return free[0]


def render_env(variables: Mapping[str, str]) -> str:
    lines = ["# Written by localnlb; source it: . <state dir>/env"]
    lines += [f"export {name}={shlex.quote(value)}" for name, value in variables.items()]
    return "\n".join(lines) + "\n"


def write_env(state_dir: Path, variables: Mapping[str, str]) -> Path:
    """Write ``DIR/env`` atomically (a reader never sees half a file)."""
    target = ensure_state_dir(state_dir) / ENV_FILE
    write_private_text(target, render_env(variables))
    return target


def update_env(state_dir: Path, variables: Mapping[str, str]) -> Path:
    """Merge ``variables`` into ``DIR/env``, keeping what other components wrote.

    Components (the ELBv2 API, the cluster, the dashboard) each add their own variables; a lock
    file serialises their read-modify-write so that none loses another's lines.
    """
    ensure_state_dir(state_dir)
    with create_private_file(state_dir / ".env.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            merged = read_env(state_dir)
            merged.update(variables)
            return write_env(state_dir, merged)
        finally:
            with contextlib.suppress(OSError):
                fcntl.flock(lock, fcntl.LOCK_UN)


def read_env(state_dir: Path) -> dict[str, str]:
    """The variables of ``DIR/env`` (only the ``export K=V`` lines localnlb writes)."""
    target = state_dir / ENV_FILE
    variables: dict[str, str] = {}
    if not target.exists():
        return variables
    for line in target.read_text().splitlines():
        if not line.startswith("export "):
            continue
        name, _, raw = line[len("export ") :].partition("=")
        parsed = shlex.split(raw)
        variables[name] = parsed[0] if parsed else ""
    return variables


def aws_client_env(*, elbv2_url: str, ec2_url: str, region: str) -> dict[str, str]:
    """The variables that point the real aws CLI and boto3 at localnlb (any credentials work)."""
    return {
        ELBV2_ENDPOINT_VARIABLE: elbv2_url,
        EC2_ENDPOINT_VARIABLE: ec2_url,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_ACCESS_KEY_ID": "localnlb",
        "AWS_SECRET_ACCESS_KEY": "localnlb",
    }
