"""YAML request bodies decoded as kube-apiserver's YAML→JSON (sigs.k8s.io/yaml on yaml.v2) does,
with its limits, so that no body can hold the server:

- aliases are expanded by whoever walks the result (JSON encoding, validation), so a 464-byte
  "billion laughs" document would cost gigabytes: the expanded size is counted while composing,
  without expanding anything, and yaml.v2's rule refuses it (``document contains excessive
  aliasing``: more than 100 alias-driven nodes and a share above 99 %, falling to 10 % between
  400,000 and 4,000,000 nodes);
- an alias inside its own anchor (``&a [*a]``) is refused as yaml.v2 refuses it;
- nesting deeper than :data:`MAX_DEPTH` is refused before Python's recursion limit is reached;
- timestamps stay strings (yaml.v2 resolves them only into ``time.Time``), ``!!binary`` is the
  decoded text, and values JSON cannot hold (sets, NaN) are refused.
"""

from __future__ import annotations

import base64
import math
from typing import Any

import yaml
from yaml.nodes import Node

# Python's recursion limit, not the 10,000 of kube-apiserver's decoders: every walker of a
# decoded body (validation, merge patches, deepcopy) recurses once or twice per level.
MAX_DEPTH = 200
_ALIAS_RATIO_LOW = 400_000
_ALIAS_RATIO_HIGH = 4_000_000


class YamlBodyError(ValueError):
    """The body is YAML kube-apiserver would refuse; the text is yaml.v2's error."""


def allowed_alias_ratio(decoded: int) -> float:
    """yaml.v2's share of alias-driven nodes allowed in a document of ``decoded`` nodes."""
    if decoded <= _ALIAS_RATIO_LOW:
        return 0.99
    if decoded >= _ALIAS_RATIO_HIGH:
        return 0.10
    return 0.99 - 0.89 * (decoded - _ALIAS_RATIO_LOW) / (_ALIAS_RATIO_HIGH - _ALIAS_RATIO_LOW)


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that counts expanded nodes per composed node and checks yaml.v2's budget."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._expanded: dict[int, tuple[int, int]] = {}  # id(node) → (nodes, height) expanded
        self._ancestors: list[Node] = []  # the nodes being composed (an alias to one: a cycle)
        self._decoded = 0
        self._aliased = 0
        self._depth = 0
        self._deepest = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if parent is not None and not (self._ancestors and self._ancestors[-1] is parent):
            self._ancestors.append(parent)  # PyYAML passes the node whose children these are
        if self.check_event(yaml.AliasEvent):
            return self._alias(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise YamlBodyError(f"yaml: exceeded max depth of {MAX_DEPTH}")
        decoded_before, deepest_before = self._decoded, self._deepest
        self._decoded += 1
        self._deepest = self._depth
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if self._ancestors and self._ancestors[-1] is node:
            self._ancestors.pop()
        self._expanded[id(node)] = (self._decoded - decoded_before, self._deepest - self._depth)
        self._deepest = max(self._deepest, deepest_before)
        return node

    def _alias(self, parent: Node | None, index: int) -> Node | None:
        anchor = self.peek_event().anchor  # type: ignore[no-untyped-call]
        target = self.anchors.get(anchor)
        if target is not None and any(open_node is target for open_node in self._ancestors):
            raise YamlBodyError(f"yaml: anchor '{anchor}' value contains itself")
        node = super().compose_node(parent, index)
        size, height = self._expanded.get(id(node), (1, 1))
        if self._depth + height > MAX_DEPTH:
            raise YamlBodyError(f"yaml: exceeded max depth of {MAX_DEPTH}")
        self._deepest = max(self._deepest, self._depth + height)
        self._decoded += size
        self._aliased += size
        if (
            self._aliased > 100
            and self._decoded > 1000
            and self._aliased / self._decoded > allowed_alias_ratio(self._decoded)
        ):
            raise YamlBodyError("yaml: document contains excessive aliasing")
        return node


def _binary_as_text(loader: yaml.SafeLoader, node: Node) -> str:
    raw = loader.construct_scalar(node)  # type: ignore[arg-type]
    try:
        return base64.decodebytes(str(raw).encode("ascii")).decode("utf-8", errors="replace")
    except (ValueError, UnicodeEncodeError) as error:
        raise YamlBodyError(f"yaml: !!binary value contains invalid base64 data: {error}") from None


def _timestamp_as_text(loader: yaml.SafeLoader, node: Node) -> str:
    return str(loader.construct_scalar(node))  # type: ignore[arg-type]


_BoundedLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
_BoundedLoader.add_constructor("tag:yaml.org,2002:binary", _binary_as_text)
_BoundedLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(text: str) -> Any:
    """The JSON value of a YAML body; :class:`YamlBodyError` for what kube-apiserver refuses."""
    loader = _BoundedLoader(text)
    try:
        value = loader.get_single_data()
    except YamlBodyError:
        raise
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as error:
        raise YamlBodyError(str(error)) from None
    finally:
        loader.dispose()
    return as_json(value)


def as_json(value: Any) -> Any:
    """``value`` with string keys and JSON scalars only, as YAML→JSON conversion leaves it."""
    if isinstance(value, dict):
        return {_key(key): as_json(element) for key, element in value.items()}
    if isinstance(value, list | tuple):
        return [as_json(element) for element in value]
    if isinstance(value, float) and not math.isfinite(value):
        raise YamlBodyError(f"json: unsupported value: {value}")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise YamlBodyError(f"json: unsupported type: {type(value).__name__}")


def _key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, str | int | float):
        return str(key)
    raise YamlBodyError(f"json: unsupported type: map[{type(key).__name__}]")
