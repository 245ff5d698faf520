"""``localnlb down``: stop everything ``up`` / ``elbv2 --detach`` started for the state dir.

The supervisor gets SIGTERM and stops its components in reverse order; components it left behind
(because it was killed) are stopped directly by their recorded process groups. Nothing keeps
running or listening afterwards, DIR's block of load balancer names in the hosts file is gone,
and so are the kernel engine's nftables rules. The state (stores, env, logs) stays unless
``--purge``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from localnlb.cli.options import add_state_dir_option
from localnlb.cluster.kubelet.mounts import unmount_under
from localnlb.cluster.kubeproxy.service_ip_rules_nft import table_name as kube_proxy_table_name
from localnlb.common import statedir
from localnlb.common.supervisor import RunDir, stop_state_dir
from localnlb.common.supervisor.runfiles import MARKER
from localnlb.dataplane.hostsfile import DEFAULT_HOSTS_PATH, HostsFile
from localnlb.dataplane.kernel.netfilter import kernel_table_name, remove_table_now


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("down", help="stop all that up started for DIR")
    add_state_dir_option(parser)
    parser.add_argument(
        "--purge", action="store_true", help="also delete the state dir (stores, env, logs)"
    )
    parser.add_argument(
        "--hosts-file",
        type=Path,
        default=DEFAULT_HOSTS_PATH,
        metavar="PATH",
        help=f"hosts file to remove DIR's load balancer names from (default: {DEFAULT_HOSTS_PATH})",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    state_dir = statedir.resolve_state_dir(args.state_dir)
    if not state_dir.is_dir():
        print(f"localnlb is not running for {state_dir} (no such state dir)")
        return 0
    report = stop_state_dir(RunDir(state_dir))
    if report.stopped_anything:
        what = []
        if report.supervisor_pid is not None:
            what.append(f"supervisor (pid {report.supervisor_pid})")
        if report.orphans:
            what.append(f"components left by a killed supervisor: {', '.join(report.orphans)}")
        print(f"stopped localnlb for {state_dir}: {'; '.join(what)}")
        if report.killed:
            print(f"needed SIGKILL: {', '.join(report.killed)}")
    else:
        print(f"localnlb is not running for {state_dir}")
    # The data plane removes its block when it stops cleanly; after a SIGKILL it is still there.
    if not HostsFile(args.hosts_file, owner=str(state_dir)).remove():
        print(
            f"localnlb: could not remove the load balancer names of {state_dir} "
            f"from {args.hosts_file}",
            file=sys.stderr,
        )
    if remove_table_now(kernel_table_name(str(state_dir))):
        print(f"removed the kernel data path's nftables rules of {state_dir}")
    if remove_table_now(kube_proxy_table_name(str(state_dir))):
        print(f"removed kube-proxy's nftables rules of {state_dir}")
    for mount_point in unmount_under(str(state_dir / "pods")):  # memory volumes of a crashed run
        print(f"unmounted {mount_point}")
    if args.purge:
        return _purge(state_dir)
    return 0


def _purge(state_dir: Path) -> int:
    # Only a directory localnlb itself set up is deleted, never e.g. a mistyped $HOME.
    if not (state_dir / MARKER).exists():
        print(
            f"localnlb: not purging {state_dir}: it has no {MARKER}, so localnlb did not create it",
            file=sys.stderr,
        )
        return 1
    shutil.rmtree(state_dir)
    print(f"deleted {state_dir}")
    return 0
