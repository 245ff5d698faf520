"""Server-side Table output (``Accept: application/json;as=Table;g=meta.k8s.io;v=v1``).

kubectl get prints what the server's Table says: columns (priority 0 by default, priority 1
with ``-o wide``) and one row of cells per object, plus the object's metadata for namespaces
and sorting. Column sets per kind live in :mod:`.kind_columns`; this module builds the Table.
"""

from __future__ import annotations

from typing import Any

from localnlb.cluster.apiserver.printers.columns import Column
from localnlb.cluster.apiserver.printers.kind_columns import columns_for
from localnlb.cluster.schema.kinds import ResourceType

JsonObject = dict[str, Any]


def _cell(column: Column, obj: JsonObject, now: float) -> Any:
    try:
        return column.cell(obj, now)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError):
        return "<unknown>"  # odd stored data must not break listing


def _definition(column: Column) -> JsonObject:
    return {
        "name": column.name,
        "type": column.type,
        "format": column.format,
        "description": column.description,
        "priority": column.priority,
    }


def _row_object(obj: JsonObject, include: str) -> JsonObject | None:
    if include == "None":
        return None
    if include == "Object":
        return obj
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": obj.get("metadata", {}),
    }


def to_table(
    rt: ResourceType,
    objects: list[JsonObject],
    *,
    now: float,
    list_metadata: JsonObject | None = None,
    include_object: str = "Metadata",
    with_columns: bool = True,
) -> JsonObject:
    columns = columns_for(rt)
    rows = []
    for obj in objects:
        cells = [_cell(column, obj, now) for column in columns]
        row: JsonObject = {"cells": cells}
        embedded = _row_object(obj, include_object)
        if embedded is not None:
            row["object"] = embedded
        rows.append(row)
    table: JsonObject = {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": list_metadata or {},
        "columnDefinitions": [_definition(c) for c in columns] if with_columns else None,
        "rows": rows,
    }
    if not with_columns:
        table["columnDefinitions"] = []
    return table
