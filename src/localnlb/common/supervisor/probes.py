"""Readiness probes: does a started component answer yet, and where does it listen?

Each probe looks only at things the component itself produced after it was started (a ready file
the supervisor deleted before the start, a ``DIR/env`` rewritten since) and, for HTTP, at a real
GET over loopback: "answers" means any HTTP status below 500.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from localnlb.common import statedir
from localnlb.common.supervisor.runfiles import read_json
from localnlb.common.supervisor.spec import EnvEndpoint, HttpGet, Readiness, ReadyFile


@dataclass(frozen=True, slots=True)
class ProbeResult:
    ready: bool
    endpoints: dict[str, str] = field(default_factory=dict)
    detail: str = ""


@dataclass(frozen=True, slots=True)
class FileVersion:
    """Which version of a file existed when a component started (files are replaced, not edited)."""

    inode: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileVersion | None:
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        return cls(inode=stat.st_ino, mtime_ns=stat.st_mtime_ns)


@dataclass(frozen=True, slots=True)
class ProbeContext:
    component: str
    state_dir: Path
    ready_file: Path
    env_file_at_start: FileVersion | None


async def http_answers(session: aiohttp.ClientSession, url: str) -> str | None:
    """None when ``url`` answered a GET; otherwise why not."""
    try:
        async with session.get(url, allow_redirects=False) as response:
            await response.read()
            if response.status >= 500:
                return f"GET {url} answered {response.status}"
            return None
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return f"GET {url}: {exc.__class__.__name__}"


async def probe(
    readiness: Readiness, context: ProbeContext, session: aiohttp.ClientSession
) -> ProbeResult:
    match readiness:
        case ReadyFile(http_path=http_path):
            announced = read_json(context.ready_file)
            if announced is None:
                return ProbeResult(False, detail="has not announced readiness yet")
            endpoints = {str(k): str(v) for k, v in dict(announced.get("endpoints", {})).items()}
            if http_path is not None:
                base = endpoints.get("http")
                if base is None:
                    return ProbeResult(False, endpoints, "announced no http endpoint")
                problem = await http_answers(session, base.rstrip("/") + http_path)
                if problem:
                    return ProbeResult(False, endpoints, problem)
            return ProbeResult(True, endpoints)
        case HttpGet(url=url):
            answer = await http_answers(session, url)
            return ProbeResult(answer is None, {"http": url}, answer or "")
        case EnvEndpoint(variable=variable, path=path):
            env_file = context.state_dir / statedir.ENV_FILE
            if FileVersion.of(env_file) in (None, context.env_file_at_start):
                return ProbeResult(False, detail=f"has not written {env_file} yet")
            recorded = statedir.read_env(context.state_dir).get(variable)
            if not recorded:
                return ProbeResult(False, detail=f"{env_file} has no {variable}")
            failure = await http_answers(session, recorded.rstrip("/") + path)
            return ProbeResult(failure is None, {variable: recorded}, failure or "")


def new_session() -> aiohttp.ClientSession:
    # trust_env=False: a proxy from the environment must never see loopback probes.
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=2.0), trust_env=False, raise_for_status=False
    )


def env_file_version(state_dir: Path) -> FileVersion | None:
    return FileVersion.of(state_dir / statedir.ENV_FILE)
