"""Running wrk and reading its report; machine facts for benchmark reports."""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
from dataclasses import dataclass

_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0}
_SIZES = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}


@dataclass(frozen=True, slots=True)
class WrkResult:
    requests_per_second: float
    bytes_per_second: float
    p50_seconds: float
    p99_seconds: float
    errors: int
    requests: int = 0
    proxy_cpu_us_per_request: float = float("nan")  # user + system CPU of the proxy processes


def run_wrk(
    url: str, *, duration: float, connections: int, threads: int = 1, close: bool = False
) -> WrkResult:
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", "--latency"]
    if close:
        argv += ["-H", "Connection: close"]
    output = subprocess.run(
        [*argv, url], capture_output=True, text=True, check=True, timeout=duration + 30
    ).stdout
    return parse_wrk(output)


def parse_wrk(output: str) -> WrkResult:
    def latency(percentile: str) -> float:
        match = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        return float(match.group(1)) * _UNITS[match.group(2)] if match else float("nan")

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    transfer = re.search(r"Transfer/sec:\s+([\d.]+)(B|KB|MB|GB)", output)
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    count = re.search(r"(\d+) requests in", output)
    return WrkResult(
        requests_per_second=float(rps.group(1)) if rps else 0.0,
        bytes_per_second=float(transfer.group(1)) * _SIZES[transfer.group(2)] if transfer else 0.0,
        p50_seconds=latency("50"),
        p99_seconds=latency("99"),
        errors=errors + (int(non2xx.group(1)) if non2xx else 0),
        requests=int(count.group(1)) if count else 0,
    )


def process_cpu_seconds(pids: list[int]) -> float:
    """User + system CPU the processes (all their threads) have used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def ensure_tools(*names: str) -> None:
    """Install the Debian packages for missing tools (``tool`` or ``tool:package``)."""
    wanted = dict((n.split(":", 1) * 2)[:2] for n in names)
    missing = sorted({package for tool, package in wanted.items() if shutil.which(tool) is None})
    if not missing:
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env)


def machine_info() -> dict[str, str]:
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    versions = {}
    for tool, flag in (("haproxy", "-v"), ("nginx", "-v"), ("wrk", "-v")):
        try:
            done = subprocess.run([tool, flag], capture_output=True, text=True, timeout=5)
            versions[tool] = (done.stdout + done.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            versions[tool] = "missing"
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        **versions,
    }
