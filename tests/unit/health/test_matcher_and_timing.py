"""Matcher.HttpCode parsing and the timing profiles."""

from __future__ import annotations

import random

import pytest

from localnlb.elbv2.health.matcher import HttpCodeMatcher
from localnlb.elbv2.health.timing import AWS, FAST, profile_named


@pytest.mark.parametrize(
    ("text", "passing", "failing"),
    [
        (None, [200, 302, 399], [199, 400, 500]),
        ("200-399", [200, 399], [400]),
        ("200", [200], [201, 204]),
        ("200,202", [200, 202], [201, 203]),
        ("200-204, 404", [200, 204, 404], [205, 403]),
        ("500-599", [503], [200]),
    ],
)
def test_matcher(text: str | None, passing: list[int], failing: list[int]) -> None:
    matcher = HttpCodeMatcher.parse(text)
    assert all(matcher.matches(code) for code in passing)
    assert not any(matcher.matches(code) for code in failing)


@pytest.mark.parametrize("text", ["abc", "300-200", "200-", "99", "600", "200,,202", "2OO"])
def test_unreadable_matcher_matches_nothing(text: str) -> None:
    matcher = HttpCodeMatcher.parse(text)
    assert not any(matcher.matches(code) for code in range(100, 600))


def test_fast_registers_at_once_and_aws_takes_minutes() -> None:
    rng = random.Random(7)
    assert FAST.registration_delay(rng) == 0
    delays = [AWS.registration_delay(rng) for _ in range(50)]
    assert all(60 <= d <= 180 for d in delays)


def test_scaled_profile() -> None:
    scaled = AWS.scaled(0.01)
    assert scaled.name == "aws"
    assert 0.6 <= scaled.registration_delay(random.Random(1)) <= 1.8
    with pytest.raises(ValueError, match="positive"):
        FAST.scaled(0)


def test_profile_named() -> None:
    assert profile_named("fast") is FAST
    assert profile_named("aws") is AWS
    with pytest.raises(ValueError, match="unknown timing profile 'slow'"):
        profile_named("slow")
