"""What the supervisor runs: component specs and their readiness probes, as plain data.

A component is a command line (usually ``python -m localnlb <component> --state-dir DIR``) and a
way to tell that it is ready. Specs are frozen values that round-trip through JSON, because the
process that decides what to run (``localnlb up``) hands them to a detached supervisor process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ReadyFile:
    """Ready once the component announced itself (see :mod:`.announce`) after it was started.

    With ``http_path`` the announced ``http`` endpoint must also answer a GET on that path.
    """

    http_path: str | None = None


@dataclass(frozen=True, slots=True)
class HttpGet:
    """Ready once a GET on ``url`` gets any HTTP answer (a status below 500)."""

    url: str


@dataclass(frozen=True, slots=True)
class EnvEndpoint:
    """Ready once ``DIR/env``, rewritten after the component started, names ``variable`` as a
    URL that answers a GET on ``path``. Fits servers that choose their port and record it in
    ``DIR/env`` (ARCHITECTURE §6) without any other cooperation with the supervisor.
    """

    variable: str
    path: str = "/"


Readiness = ReadyFile | HttpGet | EnvEndpoint


@dataclass(frozen=True, slots=True)
class ComponentSpec:
    name: str
    argv: tuple[str, ...]
    readiness: Readiness = ReadyFile()
    env: Mapping[str, str] = field(default_factory=dict)
    ready_timeout: float = 30.0
    stop_grace: float = 5.0

    def __post_init__(self) -> None:
        if not self.name or not self.name.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"a component name is letters, digits, - and _: {self.name!r}")
        if not self.argv:
            raise ValueError(f"component {self.name} has an empty command line")


def readiness_to_json(readiness: Readiness) -> dict[str, Any]:
    match readiness:
        case ReadyFile(http_path=http_path):
            return {"kind": "ready-file", "http_path": http_path}
        case HttpGet(url=url):
            return {"kind": "http-get", "url": url}
        case EnvEndpoint(variable=variable, path=path):
            return {"kind": "env-endpoint", "variable": variable, "path": path}


def readiness_from_json(data: Mapping[str, Any]) -> Readiness:
    kind = data.get("kind")
    if kind == "ready-file":
        return ReadyFile(http_path=data.get("http_path"))
    if kind == "http-get":
        return HttpGet(url=str(data["url"]))
    if kind == "env-endpoint":
        return EnvEndpoint(variable=str(data["variable"]), path=str(data.get("path", "/")))
    raise ValueError(f"unknown readiness kind {kind!r}")


def spec_to_json(spec: ComponentSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "argv": list(spec.argv),
        "readiness": readiness_to_json(spec.readiness),
        "env": dict(spec.env),
        "ready_timeout": spec.ready_timeout,
        "stop_grace": spec.stop_grace,
    }


def spec_from_json(data: Mapping[str, Any]) -> ComponentSpec:
    return ComponentSpec(
        name=str(data["name"]),
        argv=tuple(str(part) for part in data["argv"]),
        readiness=readiness_from_json(data["readiness"]),
        env={str(k): str(v) for k, v in dict(data.get("env", {})).items()},
        ready_timeout=float(data.get("ready_timeout", 30.0)),
        stop_grace=float(data.get("stop_grace", 5.0)),
    )
