"""Component specs survive the trip to the detached supervisor process unchanged."""

from __future__ import annotations

import json

import pytest

from localnlb.common.supervisor.spec import (
    ComponentSpec,
    EnvEndpoint,
    HttpGet,
    Readiness,
    ReadyFile,
    spec_from_json,
    spec_to_json,
)


@pytest.mark.parametrize(
    "readiness",
    [
        ReadyFile(),
        ReadyFile(http_path="/healthz"),
        HttpGet("http://127.0.0.1:1/"),
        EnvEndpoint("X"),
    ],
)
def test_round_trip_through_json(readiness: Readiness) -> None:
    spec = ComponentSpec(
        name="elbv2",
        argv=("python", "-m", "localnlb", "elbv2"),
        readiness=readiness,
        env={"A": "1"},
        ready_timeout=3.5,
        stop_grace=1.0,
    )
    assert spec_from_json(json.loads(json.dumps(spec_to_json(spec)))) == spec


@pytest.mark.parametrize("name", ["", "a b", "../x", "a/b"])
def test_names_that_would_escape_the_run_dir_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="component name"):
        ComponentSpec(name=name, argv=("true",))


def test_an_empty_command_line_is_refused() -> None:
    with pytest.raises(ValueError, match="empty command line"):
        ComponentSpec(name="x", argv=())


def test_an_unknown_readiness_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown readiness kind"):
        spec_from_json({"name": "x", "argv": ["true"], "readiness": {"kind": "telepathy"}})
