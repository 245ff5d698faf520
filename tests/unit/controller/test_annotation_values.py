"""Annotation value grammars and their error texts (the real controller's Go parser)."""

from __future__ import annotations

import pytest

from localnlb.controller.service.annotations import AnnotationReader
from localnlb.controller.service.errors import BuildError

KEY = "service.beta.kubernetes.io/x"


def reader(value: str) -> AnnotationReader:
    return AnnotationReader({KEY: value})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("1", True), ("T", True), ("True", True), ("FALSE", False), ("0", False)],
)
def test_bool_accepts_go_parse_bool_spellings(raw: str, expected: bool) -> None:
    assert reader(raw).boolean("x") is expected


@pytest.mark.parametrize("raw", ["yes", "on", " true", ""])
def test_bool_rejects_anything_else_with_the_go_error(raw: str) -> None:
    with pytest.raises(BuildError) as caught:
        reader(raw).boolean("x")
    assert caught.value.message == (
        f'failed to parse bool annotation, {KEY}: {raw}: strconv.ParseBool: parsing "{raw}": '
        "invalid syntax"
    )


def test_int_parses_base_10_with_sign() -> None:
    assert reader("30").int32("x") == 30
    assert reader("+7").int32("x") == 7


@pytest.mark.parametrize("raw", ["ten", "1.5", "0x10", " 10", "1_0"])
def test_int_rejects_non_decimal_with_the_go_error(raw: str) -> None:
    with pytest.raises(BuildError) as caught:
        reader(raw).int32("x")
    assert caught.value.message == (
        f'failed to parse int32 annotation, {KEY}: {raw}: strconv.ParseInt: parsing "{raw}": '
        "invalid syntax"
    )


def test_int_out_of_int64_range() -> None:
    raw = "99999999999999999999"
    with pytest.raises(BuildError, match=r"value out of range"):
        reader(raw).int32("x")


def test_list_trims_and_drops_empties() -> None:
    assert reader(" a, b ,,c ").string_list("x") == ["a", "b", "c"]


def test_map_parses_pairs_and_keeps_equals_in_values() -> None:
    assert reader("k1=v1, k2=a=b, k3=").string_map("x") == {"k1": "v1", "k2": "a=b", "k3": ""}


@pytest.mark.parametrize("raw", ["novalue", "=v", "k=v,broken"])
def test_map_rejects_malformed_pairs(raw: str) -> None:
    with pytest.raises(BuildError) as caught:
        reader(raw).string_map("x")
    assert caught.value.message == f"failed to parse stringMap annotation, {KEY}: {raw}"


def test_absent_annotations_read_as_none() -> None:
    empty = AnnotationReader({})
    assert empty.string("x") is None
    assert empty.boolean("x") is None
    assert empty.int32("x") is None
    assert empty.string_list("x") is None
    assert empty.string_map("x") is None
