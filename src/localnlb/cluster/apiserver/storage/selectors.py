"""Label and field selectors: parsing (with the real server's error words) and matching.

Label selectors follow k8s.io/apimachinery/pkg/labels (``=``, ``==``, ``!=``, ``in``,
``notin``, existence, ``!``-absence, ``gt``/``lt``). Field selectors allow only the fields each
kind supports (``metadata.name``, ``metadata.namespace`` for all; ``spec.nodeName``,
``status.phase``... for pods; ``involvedObject.*`` for events), as the real server does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from localnlb.cluster.apiserver.objects.status import ApiError, bad_request

_LABEL_KEY = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")
_TOKEN = re.compile(r"\s*(!=|==|=|\(|\)|,|!|[^\s!=(),]+)")


@dataclass(frozen=True, slots=True)
class Requirement:
    key: str
    operator: str  # "in", "notin", "exists", "!", "gt", "lt"
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        value = labels.get(self.key)
        if self.operator == "in":
            return present and value in self.values
        if self.operator == "notin":
            return not present or value not in self.values
        if self.operator == "exists":
            return present
        if self.operator == "!":
            return not present
        if not present or value is None:
            return False
        try:
            number = int(value)
        except ValueError:
            return False
        bound = int(self.values[0])
        return number > bound if self.operator == "gt" else number < bound


LabelSelector = tuple[Requirement, ...]


def _check_key(key: str) -> None:
    if not _LABEL_KEY.match(key):
        raise bad_request(
            f'unable to parse requirement: <nil>: Invalid value: "{key}": name part must'
            " consist of alphanumeric characters, '-', '_' or '.', and must start and end with"
            " an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex"
            " used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
        )


def _check_value(value: str) -> None:
    if len(value) > 63 or not _LABEL_VALUE.match(value):
        raise bad_request(
            f'unable to parse requirement: values[0][key]: Invalid value: "{value}": a valid'
            " label must be an empty string or consist of alphanumeric characters, '-', '_' or"
            " '.', and must start and end with an alphanumeric character"
        )


def parse_label_selector(text: str) -> LabelSelector:
    """Parse ``text``; raise a 400 BadRequest ApiError as the real server does."""
    tokens = [match.group(1) for match in _TOKEN.finditer(text) if match.group(1).strip()]
    if "".join(tokens).replace(" ", "") != re.sub(r"\s+", "", text):
        raise bad_request(f"unable to parse requirement: found '{text}', expected: identifier")
    requirements: list[Requirement] = []
    position = 0

    def fail(found: str, expected: str) -> ApiError:
        return bad_request(f"unable to parse requirement: found '{found}', expected: {expected}")

    while position < len(tokens):
        token = tokens[position]
        if token == "!":
            position += 1
            if position >= len(tokens):
                raise fail("", "identifier after '!'")
            _check_key(tokens[position])
            requirements.append(Requirement(tokens[position], "!"))
            position += 1
        else:
            if token in {"=", "==", "!=", "(", ")", ","}:
                raise fail(token, "identifier")
            _check_key(token)
            key = token
            position += 1
            following = tokens[position] if position < len(tokens) else ","
            if following == ",":
                requirements.append(Requirement(key, "exists"))
            elif following in {"=", "==", "!="}:
                position += 1
                value = tokens[position] if position < len(tokens) else ""
                if value in {",", "(", ")", "=", "!="}:
                    value = ""
                else:
                    position += 1
                _check_value(value)
                operator = "notin" if following == "!=" else "in"
                requirements.append(Requirement(key, operator, (value,)))
            elif following in {"in", "notin"}:
                position += 1
                if position >= len(tokens) or tokens[position] != "(":
                    raise fail(tokens[position] if position < len(tokens) else "", "'('")
                position += 1
                values: list[str] = []
                while position < len(tokens) and tokens[position] != ")":
                    if tokens[position] != ",":
                        _check_value(tokens[position])
                        values.append(tokens[position])
                    position += 1
                if position >= len(tokens):
                    raise fail("", "')'")
                position += 1
                requirements.append(Requirement(key, following, tuple(values)))
            elif following in {"gt", "lt"}:
                position += 1
                bound = tokens[position] if position < len(tokens) else ""
                if not bound.lstrip("-").isdigit():
                    raise bad_request(
                        "unable to parse requirement: for 'gt', 'lt' operators, exactly one"
                        " value is required"
                    )
                position += 1
                requirements.append(Requirement(key, following, (bound,)))
            else:
                raise fail(following, "'=', '!=', '==', 'in', notin'")
        if position < len(tokens):
            if tokens[position] != ",":
                raise fail(tokens[position], "','")
            position += 1
            if position >= len(tokens):
                raise fail("", "identifier")
    return tuple(requirements)


def labels_match(selector: LabelSelector, labels: Mapping[str, str] | None) -> bool:
    return all(requirement.matches(labels or {}) for requirement in selector)


@dataclass(frozen=True, slots=True)
class FieldRequirement:
    field: str
    value: str
    negated: bool


FieldSelector = tuple[FieldRequirement, ...]
FieldGetter = Callable[[Mapping[str, Any]], str]


def parse_field_selector(text: str, supported: Mapping[str, FieldGetter]) -> FieldSelector:
    requirements: list[FieldRequirement] = []
    for term in (part.strip() for part in text.split(",")):
        if not term:
            continue
        match = re.match(r"^([^=!]+)(!=|==|=)(.*)$", term)
        if match is None:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{term}'")
        field_name, operator, value = match.group(1).strip(), match.group(2), match.group(3)
        if field_name not in supported:
            raise bad_request(f"field label not supported: {field_name}")
        requirements.append(FieldRequirement(field_name, value.strip(), operator == "!="))
    return tuple(requirements)


def fields_match(
    selector: FieldSelector, obj: Mapping[str, Any], supported: Mapping[str, FieldGetter]
) -> bool:
    for requirement in selector:
        actual = supported[requirement.field](obj)
        if (actual == requirement.value) == requirement.negated:
            return False
    return True
