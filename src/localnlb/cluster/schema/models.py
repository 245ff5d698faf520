"""Field knowledge for built-in kinds, read from lightkube-models' typed dataclasses.

The same source serves strict field validation (``fieldValidation=Strict``: unknown fields are
refused) and the generated OpenAPI documents, so nothing here is hand-typed per field.
"""

from __future__ import annotations

import functools
import importlib
import types
import typing
from typing import Any

MODEL_MODULES = {
    ("", "v1"): "core_v1",
    ("apps", "v1"): "apps_v1",
    ("batch", "v1"): "batch_v1",
    ("discovery.k8s.io", "v1"): "discovery_v1",
    ("events.k8s.io", "v1"): "events_v1",
    ("coordination.k8s.io", "v1"): "coordination_v1",
    ("storage.k8s.io", "v1"): "storage_v1",
    ("apiextensions.k8s.io", "v1"): "apiextensions_v1",
    ("admissionregistration.k8s.io", "v1"): "admissionregistration_v1",
    ("autoscaling", "v1"): "autoscaling_v1",
    ("authentication.k8s.io", "v1"): "authentication_v1",
    ("authorization.k8s.io", "v1"): "authorization_v1",
}


def model_class(group: str, version: str, kind: str) -> type | None:
    module_name = MODEL_MODULES.get((group, version))
    if module_name is None:
        return None
    module = importlib.import_module(f"lightkube.models.{module_name}")
    found = getattr(module, kind, None)
    return found if isinstance(found, type) else None


def json_name(python_name: str) -> str:
    if python_name.startswith("_"):
        return "$" + python_name[1:]
    return python_name.rstrip("_") if python_name.endswith("_") else python_name


@functools.cache
def fields_of(cls: type) -> dict[str, Any]:
    """JSON field name → type hint, for a lightkube model class."""
    try:
        hints = typing.get_type_hints(cls)
    except (NameError, TypeError):
        return {}
    return {json_name(name): hint for name, hint in hints.items()}


@functools.cache
def unwrap(hint: Any) -> Any:
    """Optional[X] → X."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return options[0] if len(options) == 1 else Any
    return hint


@functools.cache
def is_model(hint: Any) -> bool:
    return (
        isinstance(hint, type)
        and hint.__module__.startswith("lightkube.models")
        and bool(fields_of(hint))
    )
