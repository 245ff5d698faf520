"""``$(VAR)`` expansion matches Kubernetes' cases (k8s third_party/forked/golang/expansion)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from localnlb.cluster.kubelet.expansion import expand

CONTEXT = {"VAR_A": "A", "VAR_B": "B", "VAR_C": "C", "VAR_REF": "$(VAR_A)", "VAR_EMPTY": ""}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$(VAR_A)", "A"),
        ("___$(VAR_B)___", "___B___"),
        ("$(VAR_A)-$(VAR_A)", "A-A"),
        ("$(VAR_A)-1", "A-1"),
        ("$(VAR_A)_$(VAR_B)_$(VAR_C)", "A_B_C"),
        ("f000-$$VAR_A", "f000-$VAR_A"),
        ("foo\\$(VAR_C)bar", "foo\\Cbar"),
        ("foo\\\\$(VAR_C)bar", "foo\\\\Cbar"),
        ("$(VAR_A)$(VAR_B)$(VAR_C)", "ABC"),
        ("$(VAR_EMPTY)", ""),
        ("$(VAR_REF)", "$(VAR_A)"),  # no recursion
        ("$$(VAR_B)_$(VAR_A)", "$(VAR_B)_A"),
        ("$$(VAR_DNE)", "$(VAR_DNE)"),
        ("$$$$$$(BIG_MONEY)", "$$$(BIG_MONEY)"),
        ("$$$$$$(VAR_A)", "$$$(VAR_A)"),
        ("$$$$$$$(VAR_A)", "$$$A"),
        ("$(VAR_DNE)", "$(VAR_DNE)"),
        ("$(VAR_A", "$(VAR_A"),
        ("$(VAR_A$(VAR_B)", "$(VAR_A$(VAR_B)"),  # the name is "VAR_A$(VAR_B", undefined
        ("$(VAR_A)$(VAR_B", "A$(VAR_B"),
        ("$VAR_A", "$VAR_A"),
        ("${VAR_A}", "${VAR_A}"),
        ("$", "$"),
        ("VAR_A$", "VAR_A$"),
        ("$$", "$"),
        ("$$$$", "$$"),
        ("$(", "$("),
        ("$()", "$()"),
        ("$)", "$)"),
        ("()", "()"),
        ("", ""),
        ("no refs here", "no refs here"),
    ],
)
def test_expands_like_kubernetes(text: str, expected: str) -> None:
    assert expand(text, CONTEXT) == expected


def test_first_context_that_defines_a_name_wins() -> None:
    assert expand("$(X)-$(Y)", {"X": "first"}, {"X": "second", "Y": "y"}) == "first-y"


@given(st.text(alphabet=st.characters(blacklist_characters="$")))
def test_text_without_the_operator_is_unchanged(text: str) -> None:
    assert expand(text, CONTEXT) == text


@given(st.text())
def test_with_no_variables_only_escapes_change(text: str) -> None:
    # Escaped "$$" collapses; every unknown reference survives; nothing else is lost.
    assert len(expand(text, {})) <= len(text)
    assert expand(text.replace("$", "$$"), {}) == text
