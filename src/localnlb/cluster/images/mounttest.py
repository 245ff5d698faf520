"""agnhost's ``mounttest`` subcommand: print what a container sees in its volumes.

As Kubernetes' volume e2e tests use it: ``--file_content=<path>`` prints
``content of file "<path>": <content>``, ``--file_mode``/``--file_perm`` print the mode
(``-rw-r--r--``) and ``--file_content_in_loop=<path>`` prints the content every second for
``--retry_time`` seconds (a volume update shows up in the log). Without root localnlb mounts
nothing: the kubelet then passes the path map of :mod:`localnlb.cluster.kubelet.mounts` and a
path under a mount target is read from the host path that stands for it.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
import time
from collections.abc import Mapping

PATH_MAP_VARIABLE = "LOCALNLB_VOLUME_MOUNTS"  # the kubelet's fallback without mount namespaces


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    mounttest = commands.add_parser("mounttest")
    for flag in ("--file_content", "--file_mode", "--file_perm", "--file_content_in_loop"):
        mounttest.add_argument(flag, default="")
    mounttest.add_argument("--retry_time", type=int, default=180)


def host_path(path: str, environ: Mapping[str, str]) -> str:
    """Where ``path`` is on this machine: through the longest mount target that holds it."""
    mounts: dict[str, str] = json.loads(environ.get(PATH_MAP_VARIABLE) or "{}")
    for target in sorted(mounts, key=len, reverse=True):
        if path == target or path.startswith(target.rstrip("/") + "/"):
            return mounts[target] + path[len(target) :]
    return path


def run(options: argparse.Namespace, environ: Mapping[str, str] = os.environ) -> int:
    failed = False
    if options.file_content:
        failed |= not _print_content(options.file_content, environ)
    for flag, label in (("file_mode", "mode"), ("file_perm", "perms")):
        path = getattr(options, flag)
        if path:
            try:
                mode = os.stat(host_path(path, environ)).st_mode
            except OSError as exc:
                print(f"error reading file {path}: {exc.strerror}", flush=True)
                failed = True
                continue
            shown = stat.filemode(mode) if label == "mode" else "-" + stat.filemode(mode)[1:]
            print(f'{label} of file "{path}": {shown}', flush=True)
    if options.file_content_in_loop:
        deadline = time.monotonic() + options.retry_time
        while True:
            _print_content(options.file_content_in_loop, environ)
            if time.monotonic() >= deadline:
                break
            time.sleep(1)  # the real image's period
    return 1 if failed else 0


def _print_content(path: str, environ: Mapping[str, str]) -> bool:
    try:
        with open(host_path(path, environ), encoding="utf-8", errors="replace") as file:
            content = file.read()
    except OSError as exc:
        print(f"Error reading file {path}: {exc.strerror}", file=sys.stdout, flush=True)
        return False
    print(f'content of file "{path}": {content}', flush=True)
    return True
