"""The one Kubernetes quantity parser, against resource.ParseQuantity's grammar. The rows marked
"disagreed" are where the three parsers it replaced (kubelet, scheduler, API server) differed.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from localnlb.cluster.quantity import FORMAT_WRONG, SUFFIX, parse_quantity


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2", Decimal(2)),
        ("250m", Decimal("0.25")),
        ("500u", Decimal("0.0005")),
        ("7n", Decimal("7e-9")),
        ("1k", Decimal(1000)),
        ("1M", Decimal(10**6)),
        ("1G", Decimal(10**9)),
        ("1T", Decimal(10**12)),
        ("1P", Decimal(10**15)),
        ("1E", Decimal(10**18)),  # exa, not an exponent
        ("1Ki", Decimal(1024)),
        ("128Mi", Decimal(134217728)),
        ("1.5Gi", Decimal(1610612736)),
        ("1Ti", Decimal(2**40)),
        ("1Pi", Decimal(2**50)),
        ("1Ei", Decimal(2**60)),
        ("1e3", Decimal(1000)),  # disagreed: the API server's QoS check left it unparsed
        ("1E3", Decimal(1000)),
        ("1.5e3", Decimal(1500)),
        ("1e-3", Decimal("0.001")),
        ("2E+2", Decimal(200)),
        ("-1Ki", Decimal(-1024)),  # disagreed: the API server's canonical form lost the Ki
        ("+5", Decimal(5)),
        ("-250m", Decimal("-0.25")),
        (".5", Decimal("0.5")),
        ("1.", Decimal(1)),
        ("0.5Ki", Decimal(512)),
        (" 100Mi ", Decimal(104857600)),  # UnmarshalJSON trims spaces
        ("0.1n", Decimal("1e-9")),  # disagreed: finer than nano rounds up to 1n
        ("-0.1n", Decimal("-1e-9")),  # away from zero
        ("1.0000000001", Decimal("1.000000001")),
        (110, Decimal(110)),  # a JSON number (pods: 110)
        (0.5, Decimal("0.5")),
    ],
)
def test_parse_quantity(text: str | int | float, value: Decimal) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        ".",
        "-",
        "Ki",  # no number
        "1Zi",
        "1.2.3",
        "1 k",
        "1_000",  # disagreed: the scheduler took Python's digit separators
        "Infinity",  # disagreed: the scheduler took it
        "NaN",  # disagreed: the scheduler took it
        "1.5e3k",  # disagreed: the scheduler took it as 1.5e6
        "1e3.5",
        "0x10",
    ],
)
def test_malformed_quantities(text: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(FORMAT_WRONG)}$"):
        parse_quantity(text)


@pytest.mark.parametrize("text", ["1K", "1e", "1mi", "1kM", "1e1001"])
def test_unknown_suffixes(text: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(SUFFIX)}$"):
        parse_quantity(text)
