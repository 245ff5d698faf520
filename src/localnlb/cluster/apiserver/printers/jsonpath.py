"""The simple JSONPath CRD printer columns use (``.spec.serviceRef.name``, ``.a[0].b``,
``.a[*].b``): enough for additionalPrinterColumns, which are restricted to simple paths.
"""

from __future__ import annotations

import re
from typing import Any

_STEP = re.compile(r"\.([^.\[\]]+)|\[(\*|-?\d+)\]|\['([^']+)'\]")


def evaluate(obj: Any, path: str) -> list[Any]:
    text = path.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    text = text.removeprefix("$")
    values = [obj]
    position = 0
    while position < len(text):
        match = _STEP.match(text, position)
        if match is None:
            return []
        position = match.end()
        key, index, quoted = match.groups()
        key = key or quoted
        following: list[Any] = []
        for value in values:
            if key is not None and isinstance(value, dict) and key in value:
                following.append(value[key])
            elif index == "*" and isinstance(value, list):
                following.extend(value)
            elif index is not None and index != "*" and isinstance(value, list):
                number = int(index)
                if -len(value) <= number < len(value):
                    following.append(value[number])
        values = following
    return values
