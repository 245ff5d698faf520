"""Resource quantities in canonical form, as the real server stores them ("1.5Gi" → "1536Mi",
"1000m" → "1", "0.5" → "500m"): k8s.io/apimachinery/pkg/api/resource.Quantity.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_PATTERN = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|)$")
_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_SUFFIX = {exponent: suffix for suffix, exponent in _DECIMAL.items()}
_BINARY_SUFFIX = {power: suffix for suffix, power in _BINARY.items()}


def canonical(text: str) -> str:
    """The canonical spelling; what cannot be parsed is returned as given."""
    match = _PATTERN.match(text.strip())
    if match is None:
        return text
    number, suffix = match.groups()
    try:
        value = Decimal(number)
    except InvalidOperation:
        return text
    if suffix in _BINARY:
        value *= Decimal(1024) ** _BINARY[suffix]
        if value == value.to_integral_value() and value >= 1024:
            power = 0
            while power < 6 and value % (Decimal(1024) ** (power + 1)) == 0:
                power += 1
            if power:
                return f"{int(value / Decimal(1024) ** power)}{_BINARY_SUFFIX[power]}"
    else:
        value *= Decimal(10) ** _DECIMAL[suffix]
    if value == 0:
        return "0"
    # Smallest representable unit is nano; round up beyond it, as the real server does.
    nanos = (value * Decimal(10) ** 9).to_integral_value(rounding="ROUND_CEILING")
    exponent = -9
    while exponent < 18 and nanos % (10 ** (exponent + 9 + 3)) == 0:
        exponent += 3
    mantissa = nanos // (10 ** (exponent + 9))
    return f"{mantissa}{_DECIMAL_SUFFIX[exponent]}"
