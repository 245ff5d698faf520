"""One request, from form pairs to (status, XML): pick the API by ``Version``, look the action up
in its ACTIONS table, parse and validate against the model, run the handler, serialise.

Every failure becomes an AWS error document: bad input is a 4xx with AWS's code and message; a
bug in a handler becomes a 500 ``InternalFailure`` (logged with its traceback), never a raw
traceback on the wire.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from localnlb.common.ids import request_id
from localnlb.elbv2.api.actions import EC2_ACTIONS, ELBV2_ACTIONS, Action
from localnlb.elbv2.api.context import ApiContext
from localnlb.elbv2.api.ec2_errors import InvalidParameterValue, MissingParameter
from localnlb.elbv2.api.errors import AwsError, InternalFailure, InvalidAction, ValidationError
from localnlb.elbv2.api.serialize import serialize_error, serialize_result
from localnlb.elbv2.api.service_model import (
    EC2_API_VERSION,
    ELBV2_API_VERSION,
    Dialect,
    operation,
)
from localnlb.elbv2.api.validation import find_violations, violations_message
from localnlb.elbv2.api.wire import parse_params

LOG = logging.getLogger(__name__)

TABLES: Mapping[str, tuple[Dialect, Mapping[str, Action]]] = {
    ELBV2_API_VERSION: (Dialect.QUERY, ELBV2_ACTIONS),
    EC2_API_VERSION: (Dialect.EC2, EC2_ACTIONS),
}


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: str
    request_id: str
    action: str


def dialect_of(form: Mapping[str, str]) -> Dialect:
    found = TABLES.get(form.get("Version", ""))
    return found[0] if found else Dialect.QUERY


def dispatch(ctx: ApiContext, form: Mapping[str, str]) -> Reply:
    rid = request_id()
    action_name = form.get("Action", "")
    dialect = dialect_of(form)
    try:
        version = form.get("Version", "")
        table = TABLES.get(version)
        action = table[1].get(action_name) if table else None
        if table is None or action is None:
            raise InvalidAction(f"Could not find operation {action_name} for version {version}")
        model = operation(dialect, action_name)
        params = parse_params(form, model.input_shape, dialect)
        problems = find_violations(params, model.input_shape)
        if problems:
            raise _validation_error(dialect, problems)
        result = action.handler(ctx, params)
        body = serialize_result(model, result, dialect=dialect, request_id=rid)
        return Reply(200, body, rid, action_name)
    except AwsError as error:
        return Reply(
            error.http_status,
            serialize_error(error, dialect=dialect, request_id=rid),
            rid,
            action_name,
        )
    except Exception:
        LOG.exception("internal error in %s (request %s)", action_name, rid)
        failure = InternalFailure("The request processing has failed because of an unknown error")
        return Reply(
            500, serialize_error(failure, dialect=dialect, request_id=rid), rid, action_name
        )


def _validation_error(dialect: Dialect, problems: list[str]) -> AwsError:
    if dialect is Dialect.EC2:
        missing = [p for p in problems if p.startswith("Value null at '")]
        if missing:
            path = missing[0].split("'")[1]
            name = path[:1].upper() + path[1:]  # EC2 names parameters as they are sent
            return MissingParameter(f"The request must contain the parameter {name}")
        return InvalidParameterValue(violations_message(problems))
    return ValidationError(violations_message(problems))
