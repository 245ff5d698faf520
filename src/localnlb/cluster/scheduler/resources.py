"""Kubernetes resource quantities ("250m", "1.5Gi", "2") as numbers, for fit checks."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL: dict[str, Decimal] = {
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "k": Decimal(10**3),
    "M": Decimal(10**6),
    "G": Decimal(10**9),
    "T": Decimal(10**12),
    "P": Decimal(10**15),
    "E": Decimal(10**18),
}


def parse_quantity(text: str | int | float) -> Decimal:
    """The value of a quantity in base units (cores, bytes, counts); ValueError when malformed."""
    if isinstance(text, int | float):
        return Decimal(str(text))
    raw = text.strip()
    for suffix, factor in _BINARY.items():
        if raw.endswith(suffix):
            return _number(raw[: -len(suffix)], text) * factor
    for suffix, scale in _DECIMAL.items():
        if raw.endswith(suffix):
            return _number(raw[: -len(suffix)], text) * scale
    return _number(raw, text)


def _number(digits: str, original: str) -> Decimal:
    try:
        return Decimal(digits)
    except InvalidOperation as exc:
        raise ValueError(f"quantities must match the regular expression: {original!r}") from exc
