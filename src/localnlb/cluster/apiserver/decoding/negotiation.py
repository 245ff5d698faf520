"""Content negotiation: what the client accepts (JSON, YAML, Table, aggregated discovery) and
decoding request bodies (JSON, YAML) with the real server's errors for what it cannot read.
"""

from __future__ import annotations

import enum
import json
from typing import Any

import yaml

from localnlb.cluster.apiserver.decoding import yaml_bodies
from localnlb.cluster.apiserver.objects import status

MAX_BODY_BYTES = 3 * 1024 * 1024


class Output(enum.Enum):
    JSON = "json"
    YAML = "yaml"
    TABLE = "table"
    METADATA = "metadata"  # PartialObjectMetadata(List), as metadata-only clients ask
    AGGREGATED_V2 = "aggregated-v2"
    AGGREGATED_V2BETA1 = "aggregated-v2beta1"


def _media_types(accept: str) -> list[tuple[str, dict[str, str]]]:
    result = []
    for part in accept.split(","):
        pieces = [p.strip() for p in part.split(";") if p.strip()]
        if not pieces:
            continue
        params = {}
        for piece in pieces[1:]:
            key, _, value = piece.partition("=")
            params[key.strip()] = value.strip()
        result.append((pieces[0].lower(), params))
    return result


def choose_output(accept: str, *, discovery: bool = False, table: bool = True) -> Output:
    """The first acceptable media type, in the client's order; 406 if none is."""
    if not accept.strip():
        return Output.JSON
    for media, params in _media_types(accept):
        if media in ("application/json", "*/*", "application/*"):
            if params.get("as") == "Table" and params.get("g") == "meta.k8s.io":
                if table and params.get("v") in ("v1", "v1beta1"):
                    return Output.TABLE
                continue
            if params.get("as") == "APIGroupDiscoveryList":
                if discovery and params.get("v") == "v2":
                    return Output.AGGREGATED_V2
                if discovery and params.get("v") == "v2beta1":
                    return Output.AGGREGATED_V2BETA1
                continue
            if params.get("as") in ("PartialObjectMetadata", "PartialObjectMetadataList") and (
                params.get("g") == "meta.k8s.io" and params.get("v") in ("v1", "v1beta1")
            ):
                if table:
                    return Output.METADATA
                continue
            if "as" in params:
                continue
            return Output.JSON
        if media in ("application/yaml", "text/yaml"):
            return Output.YAML
    raise status.not_acceptable("application/json, application/yaml")


def decode_body(raw: bytes, content_type: str) -> Any:
    media = content_type.split(";")[0].strip().lower()
    if not raw.strip():
        raise status.bad_request("the body of the request was empty")
    text = raw.decode("utf-8", errors="replace")
    if media in ("application/yaml", "application/apply-patch+yaml", "text/yaml"):
        try:
            return yaml_bodies.load(text)
        except yaml_bodies.YamlBodyError as error:
            raise status.bad_request(f"error converting YAML to JSON: {error}") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise status.bad_request(
            f"couldn't get version/kind; json parse error: {error.msg} at offset {error.pos}"
        ) from None
    except RecursionError:  # deeper than Python's recursion limit
        value = None
        depth = yaml_bodies.MAX_DEPTH + 1
    else:
        depth = nesting_depth(value)
    if depth > yaml_bodies.MAX_DEPTH:
        raise status.bad_request(
            "couldn't get version/kind; json parse error:"
            f" exceeded max depth of {yaml_bodies.MAX_DEPTH}"
        )
    return value


def nesting_depth(value: Any) -> int:
    """How deeply arrays and objects nest in ``value`` (a scalar: 0), without recursing."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        current, depth = pending.pop()
        children = current.values() if isinstance(current, dict) else current
        if isinstance(current, dict | list):
            deepest = max(deepest, depth)
            pending.extend(
                (child, depth + 1) for child in children if isinstance(child, dict | list)
            )
    return deepest


def encode(obj: Any, output: Output) -> tuple[bytes, str]:
    if output is Output.YAML:
        return yaml.safe_dump(obj, sort_keys=False).encode(), "application/yaml"
    body = json.dumps(obj, separators=(",", ":")).encode()
    if output is Output.AGGREGATED_V2:
        return body, "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    if output is Output.AGGREGATED_V2BETA1:
        return body, ("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList")
    return body, "application/json"


def partial(obj: dict[str, Any]) -> dict[str, Any]:
    """An object as PartialObjectMetadata: its metadata only."""
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": obj.get("metadata", {}),
    }


def partial_list(listed: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "PartialObjectMetadataList",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": listed.get("metadata", {}),
        "items": [partial(item) for item in listed.get("items", [])],
    }
