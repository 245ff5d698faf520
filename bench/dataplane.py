"""Benchmark: one localnlb NLB against HAProxy (TCP mode), side by side, in front of nginx.

Everything runs on 127.x addresses of this machine: nginx serves a tiny file and a 1 MiB file;
HAProxy (``mode tcp``, ``nbthread`` = the data plane's worker count) and one NLB (one LB node,
one TCP listener, one healthy ``ip`` target: nginx) both forward to it, once per data-plane
engine: ``user`` (the LB node workers relay) and, as root, ``kernel`` (nftables DNAT +
conntrack). Each NLB is fed its routing snapshot directly (no ELBv2 API needed). For each
scenario wrk runs against HAProxy and then each NLB, ``--rounds`` times alternately, and the best
round of each counts:

* keep-alive requests/s (goal: >= 1.0 x HAProxy);
* new connections/s, ``Connection: close`` (goal: >= 0.8 x HAProxy);
* bulk, 1 MiB responses, bytes/s (goal: >= 0.8 x HAProxy);

with p50/p99 latency. Run: ``python -m bench.dataplane [--duration 10] [--workers 2]
[--engines user,kernel]``. Installs haproxy, nginx, wrk (and, as root, nftables and conntrack)
with apt-get when they are missing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

from bench.wrk import WrkResult, ensure_tools, machine_info, process_cpu_seconds, run_wrk
from localnlb.common.snapshot import (
    HealthCheckRoute,
    LbNodeRoute,
    ListenerRoute,
    LoadBalancerRoute,
    LoadBalancerState,
    Protocol,
    RoutingSnapshot,
    TargetGroupRoute,
    TargetRoute,
    TargetState,
)
from localnlb.dataplane.kernel.netfilter import unavailable_reason
from localnlb.dataplane.service import DataPlane
from localnlb.dataplane.settings import DataPlaneSettings

NGINX = ("127.88.1.10", 8080)
HAPROXY = ("127.88.0.20", 8080)
NLB_NODE = ("127.88.0.100", 8080)  # the user-space engine's LB node
NLB_KERNEL_NODE = ("127.88.0.101", 8080)  # the kernel engine's (its own plane, own table)
SCENARIOS = (
    # name, path, wrk connections, Connection: close, metric
    ("keep-alive", "/small.txt", 50, False, "requests_per_second", 1.0),
    ("new connections", "/small.txt", 50, True, "requests_per_second", 0.8),
    ("bulk 1 MiB", "/big.bin", 10, False, "bytes_per_second", 0.8),
)


def nginx_config(root: Path) -> str:
    temp = f"{root}/tmp"
    return f"""
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/nginx-error.log;
events {{ worker_connections 8192; }}
http {{
  access_log off;
  keepalive_requests 10000000;
  client_body_temp_path {temp}; proxy_temp_path {temp}; fastcgi_temp_path {temp};
  uwsgi_temp_path {temp}; scgi_temp_path {temp};
  server {{ listen {NGINX[0]}:{NGINX[1]}; root {root}/www; location / {{ }} }}
}}
"""


def haproxy_config(threads: int) -> str:
    return f"""
global
  nbthread {threads}
  maxconn 8000
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
listen bench
  bind {HAPROXY[0]}:{HAPROXY[1]}
  server nginx {NGINX[0]}:{NGINX[1]}
"""


def nlb_snapshot(node: tuple[str, int]) -> RoutingSnapshot:
    zone = "us-west-2a"
    health_check = HealthCheckRoute(Protocol.TCP, "traffic-port", None, None, 10, 10, 3, 3)
    group = TargetGroupRoute(
        arn="arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/bench/0",
        name="bench",
        protocol=Protocol.TCP,
        port=NGINX[1],
        target_type="ip",
        health_check=health_check,
        preserve_client_ip=False,  # the default for ip targets over TCP
        targets=(TargetRoute(NGINX[0], NGINX[1], NGINX[0], zone, TargetState.HEALTHY),),
    )
    lb = LoadBalancerRoute(
        arn="arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/net/bench/0",
        name="bench",
        dns_name="bench-0000000000000000.elb.us-west-2.amazonaws.com",
        scheme="internal",
        state=LoadBalancerState.ACTIVE,
        cross_zone=False,
        nodes=(LbNodeRoute(zone, node[0], "subnet-bench"),),
        listeners=(ListenerRoute("arn:listener/bench", node[1], Protocol.TCP, group.arn),),
    )
    return RoutingSnapshot(version=1, load_balancers=(lb,), target_groups=(group,))


@contextlib.contextmanager
def servers(root: Path, threads: int) -> Iterator[int]:
    """Start nginx and HAProxy; yields HAProxy's pid."""
    root.chmod(0o755)  # nginx workers run unprivileged and must read the files
    (root / "www").mkdir()
    (root / "tmp").mkdir()
    (root / "www" / "small.txt").write_text("ok\n")
    (root / "www" / "big.bin").write_bytes(os.urandom(1024 * 1024))
    (root / "nginx.conf").write_text(nginx_config(root))
    (root / "haproxy.cfg").write_text(haproxy_config(threads))
    started = [
        subprocess.Popen(["nginx", "-c", str(root / "nginx.conf")], start_new_session=True),
        subprocess.Popen(
            ["haproxy", "-f", str(root / "haproxy.cfg"), "-q"], start_new_session=True
        ),
    ]
    try:
        yield started[1].pid
    finally:
        for process in started:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_listening(*addresses: tuple[str, int]) -> None:
    import socket
    import time

    deadline = time.monotonic() + 10
    for address in addresses:
        while True:
            try:
                socket.create_connection(address, timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)


async def measure(args: argparse.Namespace) -> dict[str, object]:
    results: dict[str, dict[str, list[WrkResult]]] = {}
    planes: dict[str, DataPlane] = {}
    nodes = {"user": NLB_NODE, "kernel": NLB_KERNEL_NODE}
    with (
        tempfile.TemporaryDirectory(prefix="localnlb-bench-") as temp,
        servers(Path(temp), args.workers) as haproxy_pid,
    ):
        try:
            for engine in args.engines:
                settings = DataPlaneSettings(
                    workers=args.workers,
                    engine=engine,
                    hosts_path=None,
                    hosts_owner=f"bench-{engine}",
                    metrics_address=None,
                )
                planes[engine] = plane = DataPlane(settings)
                await plane.start()
                await plane.apply(nlb_snapshot(nodes[engine]))
            contenders = {"haproxy": (HAPROXY, [haproxy_pid])}
            for engine, plane in planes.items():
                # The kernel forwards in the clients' and nginx's system time: no process of
                # its own to charge, so its CPU column stays 0.
                pids = plane.worker_pids if engine == "user" else []
                contenders[f"localnlb-{engine}"] = (nodes[engine], pids)
            await asyncio.to_thread(wait_listening, NGINX, *(a for a, _ in contenders.values()))
            for name, path, connections, close, _metric, _goal in SCENARIOS:
                rounds: dict[str, list[WrkResult]] = {who: [] for who in contenders}
                for _ in range(args.rounds):
                    for who, ((host, port), pids) in contenders.items():
                        cpu_before = process_cpu_seconds(pids) if pids else 0.0
                        result = await asyncio.to_thread(
                            run_wrk,
                            f"http://{host}:{port}{path}",
                            duration=args.duration,
                            connections=connections,
                            close=close,
                        )
                        cpu = process_cpu_seconds(pids) - cpu_before if pids else 0.0
                        result = dataclasses.replace(
                            result,
                            proxy_cpu_us_per_request=cpu * 1e6 / max(result.requests, 1),
                        )
                        rounds[who].append(result)
                        print(f"  {name:16} {who:15} {_describe(result)}", file=sys.stderr)
                results[name] = rounds
        finally:
            for plane in planes.values():
                await plane.stop(grace=0.5)
    return report(results, args)


def _describe(result: WrkResult) -> str:
    return (
        f"{result.requests_per_second:10.0f} req/s {result.bytes_per_second / 1e6:9.1f} MB/s "
        f"p50 {result.p50_seconds * 1e3:6.2f} ms p99 {result.p99_seconds * 1e3:6.2f} ms "
        f"proxy CPU {result.proxy_cpu_us_per_request:6.1f} us/req errors {result.errors}"
    )


def _best(rounds: list[WrkResult], metric: str) -> WrkResult:
    return max(rounds, key=lambda result: float(getattr(result, metric)))


def report(
    results: dict[str, dict[str, list[WrkResult]]], args: argparse.Namespace
) -> dict[str, object]:
    summary: dict[str, object] = {
        "duration_seconds": args.duration,
        "workers": args.workers,
        "engines": args.engines,
        "rounds": args.rounds,
    }
    machine = machine_info()
    summary["machine"] = machine
    print("\nmachine: " + ", ".join(f"{k}={v}" for k, v in machine.items()))
    scenarios = {}
    for name, _path, _connections, _close, metric, goal in SCENARIOS:
        rounds = results[name]
        best = {who: _best(runs, metric) for who, runs in rounds.items()}
        cpu = {
            who: statistics.median(r.proxy_cpu_us_per_request for r in runs)
            for who, runs in rounds.items()
        }
        scenario: dict[str, object] = {"metric": metric, "goal": goal}
        print(f"{name} (goal >= {goal} x HAProxy)")
        for who in [w for w in rounds if w != "haproxy"]:
            ratio = getattr(best[who], metric) / max(getattr(best["haproxy"], metric), 1e-9)
            # Each round runs every contender back to back; the median of the per-round ratios
            # is less at the mercy of other load on the machine than best against best.
            paired = [
                getattr(ours, metric) / max(getattr(theirs, metric), 1e-9)
                for theirs, ours in zip(rounds["haproxy"], rounds[who], strict=True)
            ]
            median = statistics.median(paired)
            verdict = "meets" if ratio >= goal else "MISSES"
            print(
                f"  {who:15} ratio {ratio:5.2f} best/best, {median:5.2f} median of rounds"
                f" ({verdict}); proxy CPU per request {cpu[who]:.1f} us"
                f" (HAProxy {cpu['haproxy']:.1f} us)"
            )
            scenario[who] = {"ratio": round(ratio, 3), "median_round_ratio": round(median, 3)}
        for who, result in best.items():
            print(f"    best {who:15} {_describe(result)}")
        scenario["proxy_cpu_us_per_request_median"] = {k: round(v, 1) for k, v in cpu.items()}
        scenario["best"] = {who: asdict(result) for who, result in best.items()}
        scenario["rounds"] = {who: [asdict(r) for r in runs] for who, runs in rounds.items()}
        scenarios[name] = scenario
    summary["scenarios"] = scenarios
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per wrk run")
    parser.add_argument("--workers", type=int, default=2, help="data-plane worker processes")
    parser.add_argument("--rounds", type=int, default=1, help="alternating runs per scenario")
    parser.add_argument("--json", type=Path, help="also write the results here")
    if os.geteuid() == 0:  # the kernel engine's tools, where it can run at all
        ensure_tools("nft:nftables", "conntrack", "ss:iproute2")
    default_engines = "user" if unavailable_reason() else "user,kernel"
    parser.add_argument(
        "--engines",
        default=default_engines,
        type=lambda text: [e for e in text.split(",") if e],
        help=f"data-plane engines to measure, comma-separated (default here: {default_engines})",
    )
    args = parser.parse_args(argv)
    ensure_tools("haproxy", "nginx", "wrk")
    import uvloop

    summary = uvloop.run(measure(args))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
