"""botocore's service models for ELBv2 and EC2: the single source of every wire name and constraint.

Parsing, validation and serialisation all walk these shapes (nothing per action is hand-written),
so the server accepts exactly what the real aws CLI and boto3 send and answers in the form their
parsers expect. Loaded once per process: building a model costs tens of milliseconds.
"""

from __future__ import annotations

import enum
import functools

import botocore.session
from botocore.model import OperationModel, ServiceModel

ELBV2_API_VERSION = "2015-12-01"
EC2_API_VERSION = "2016-11-15"


class Dialect(enum.Enum):
    """The two Query dialects: ELBv2 (``X.member.N``, ``<member>``), EC2 (``X.N``, ``<item>``)."""

    QUERY = "query"
    EC2 = "ec2"


@functools.cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@functools.cache
def elbv2_model() -> ServiceModel:
    return _session().get_service_model("elbv2", api_version=ELBV2_API_VERSION)


@functools.cache
def ec2_model() -> ServiceModel:
    return _session().get_service_model("ec2", api_version=EC2_API_VERSION)


def model_for(dialect: Dialect) -> ServiceModel:
    return elbv2_model() if dialect is Dialect.QUERY else ec2_model()


@functools.cache
def operation(dialect: Dialect, name: str) -> OperationModel:
    return model_for(dialect).operation_model(name)


def xml_namespace(dialect: Dialect) -> str:
    if dialect is Dialect.QUERY:
        return str(elbv2_model().metadata["xmlNamespace"])
    # EC2 answers with a trailing slash on its namespace.
    return str(ec2_model().metadata["xmlNamespace"]).rstrip("/") + "/"
