"""Kubernetes resource quantities ("250m", "1.5Gi", "1e3") as exact numbers, parsed as
k8s.io/apimachinery/pkg/api/resource.ParseQuantity parses them: the one parser of the cluster
(the API server's QoS class, the scheduler's fit checks, the kubelet's downward API). Pure.

Grammar: a signed number (``1``, ``1.5``, ``1.``, ``.5``), then one suffix: binary SI
(Ki Mi Gi Ti Pi Ei), decimal SI (n u m "" k M G T P E) or a decimal exponent (``e3``, ``E-2``).
Values finer than a nano-unit are rounded away from zero to one, as the real parser does
("if you want some resources, you should get some resources").
"""

from __future__ import annotations

import re
from decimal import ROUND_UP, Context, Decimal

# The real error texts (resource.ErrFormatWrong, resource.ErrSuffix).
FORMAT_WRONG = (
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)
SUFFIX = "unable to parse quantity's suffix"

_QUANTITY = re.compile(r"^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))([eEinumkKMGTP]*[-+]?[0-9]*)$")
_EXPONENT = re.compile(r"^[eE]([+-]?[0-9]+)$")
_BINARY_POWER = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_EXPONENT = {
    "n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18,
}  # fmt: skip
# Exponents beyond this are refused rather than computed: no resource comes near them.
_LARGEST_EXPONENT = 1000
_NANO = Decimal("1e-9")
_NANO_EXPONENT = -9
# Wide enough that an exact mantissa times 2**60 or 10**18 is never rounded.
_EXACT = Context(prec=200)


def parse_quantity(text: str | int | float) -> Decimal:
    """The value in base units (cores, bytes, counts); ValueError with the real parser's text.

    JSON numbers (``pods: 110``) are quantities too, as Quantity.UnmarshalJSON accepts them.
    """
    match = _QUANTITY.match(str(text).strip())  # UnmarshalJSON trims spaces before parsing
    if match is None:
        raise ValueError(FORMAT_WRONG)
    number, suffix = match.groups()
    scaled = _scale(Decimal(number), suffix)
    exponent = scaled.as_tuple().exponent
    if isinstance(exponent, int) and exponent < _NANO_EXPONENT:  # finer than a nano-unit
        return scaled.quantize(_NANO, rounding=ROUND_UP, context=_EXACT)
    return scaled


def _scale(value: Decimal, suffix: str) -> Decimal:
    if suffix in _BINARY_POWER:
        return _EXACT.multiply(value, Decimal(2 ** _BINARY_POWER[suffix]))
    if suffix in _DECIMAL_EXPONENT:
        return value.scaleb(_DECIMAL_EXPONENT[suffix], context=_EXACT)
    exponent = _EXPONENT.match(suffix)
    if exponent is None or abs(int(exponent.group(1))) > _LARGEST_EXPONENT:
        raise ValueError(SUFFIX)
    return value.scaleb(int(exponent.group(1)), context=_EXACT)
