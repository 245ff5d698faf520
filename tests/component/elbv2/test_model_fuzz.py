"""Never a 500 for bad input, for every action of both ACTIONS tables: requests are generated from
botocore's own input shapes (any member present or not, enum values or junk, numbers in and out
of range), serialised by botocore's serializer and sent over loopback; every answer must be a
success or a 4xx error document, never a 500."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from botocore import serialize
from botocore.model import ListShape, MapShape, Shape, StructureShape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localnlb.elbv2.api.actions import EC2_ACTIONS, ELBV2_ACTIONS
from localnlb.elbv2.api.service_model import Dialect, operation
from localnlb.elbv2.service import Elbv2Server

WORDS = st.sampled_from(
    [
        "",
        "x",
        "tg",
        "TCP",
        "traffic-port",
        "all",
        "127.0.0.1",
        "127.16.1.5",
        "us-west-2a",
        "i-1",
        "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/tg/0123456789abcdef",
        "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/net/lb/0123456789abcdef",
        "subnet-1",
        "sg-1",
        "vpc-1",
        "true",
        "-1",
        "tag:Name",
        "a" * 40,
    ]
)


def _strategy(shape: Shape, depth: int = 0) -> st.SearchStrategy[Any]:
    if isinstance(shape, StructureShape):
        if depth > 3:
            return st.just({})
        members = {name: _strategy(member, depth + 1) for name, member in shape.members.items()}
        return st.fixed_dictionaries({}, optional=members)
    if isinstance(shape, ListShape):
        return st.lists(_strategy(shape.member, depth + 1), max_size=3)
    if isinstance(shape, MapShape):
        return st.dictionaries(WORDS, _strategy(shape.value, depth + 1), max_size=2)
    kind = shape.type_name
    if kind == "string":
        enum = getattr(shape, "enum", None)
        return st.one_of(st.sampled_from(enum), WORDS) if enum else WORDS
    if kind in ("integer", "long"):
        return st.integers(-3, 70000)
    if kind == "boolean":
        return st.booleans()
    if kind in ("double", "float"):
        return st.floats(-1, 1e6, allow_nan=False)
    return st.nothing()


CASES = [(Dialect.QUERY, name) for name in ELBV2_ACTIONS] + [
    (Dialect.EC2, name) for name in EC2_ACTIONS
]


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    dialect, name = draw(st.sampled_from(CASES))
    model = operation(dialect, name)
    params = draw(_strategy(model.input_shape)) if model.input_shape is not None else {}
    params = {k: v for k, v in params.items() if v is not None}
    body = serialize.create_serializer(
        dialect.value, include_validation=False
    ).serialize_to_request(params, model)["body"]
    return name, {k: str(v) for k, v in body.items()}


@pytest.mark.timeout(120)
@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(request=requests())
async def test_no_generated_request_gets_a_500(
    server: Elbv2Server, request: tuple[str, dict[str, Any]]
) -> None:
    name, form = request
    async with (
        aiohttp.ClientSession() as session,
        session.post(server.url + "/", data=form) as reply,
    ):
        body = await reply.text()
    assert reply.status < 500, f"{name} {form} -> {reply.status} {body}"
