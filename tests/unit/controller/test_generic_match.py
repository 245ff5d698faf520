"""The one diff used for load balancers, listeners, target groups, bindings and targets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from localnlb.controller.deploy.match import DuplicateKeyError, match


def test_pairs_creations_and_deletions() -> None:
    got = match(["a", "b", "c"], ["c", "d", "a"], key=str.upper)
    assert got.pairs == (("a", "a"), ("c", "c"))
    assert got.to_create == ("b",)
    assert got.to_delete == ("d",)


def test_different_types_on_each_side() -> None:
    got = match(
        [80, 443], [("arn-1", 80), ("arn-2", 8080)], key=lambda p: p, actual_key=lambda a: a[1]
    )
    assert got.pairs == ((80, ("arn-1", 80)),)
    assert got.to_create == (443,)
    assert got.to_delete == (("arn-2", 8080),)


def test_empty_desired_deletes_everything() -> None:
    assert match([], [1, 2], key=lambda x: x).to_delete == (1, 2)


@pytest.mark.parametrize(("desired", "actual"), [([1, 1], []), ([], [2, 2])])
def test_duplicate_keys_are_a_bug_in_the_caller(desired: list[int], actual: list[int]) -> None:
    with pytest.raises(DuplicateKeyError):
        match(desired, actual, key=lambda x: x)


@given(st.sets(st.integers(0, 50)), st.sets(st.integers(0, 50)))
def test_every_item_lands_in_exactly_one_bucket(desired: set[int], actual: set[int]) -> None:
    got = match(sorted(desired), sorted(actual), key=lambda x: x)
    assert {d for d, _ in got.pairs} | set(got.to_create) == desired
    assert {a for _, a in got.pairs} | set(got.to_delete) == actual
    assert {d for d, _ in got.pairs} == desired & actual
