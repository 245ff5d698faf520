"""The error vocabulary shared by both APIs: one class per AWS error code.

An :class:`AwsError` carries the wire ``code``, the HTTP status and the message; it is turned into
XML in exactly one place (:mod:`localnlb.elbv2.api.serialize`). Handlers raise these; nothing else
reaches the client. Codes specific to ELBv2 live in ``elbv2_errors``, EC2's in ``ec2_errors``.
"""

from __future__ import annotations


class AwsError(Exception):
    code = "InternalFailure"
    http_status = 400
    sender_fault = True

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(AwsError):
    code = "ValidationError"


class InvalidAction(AwsError):
    code = "InvalidAction"


class InternalFailure(AwsError):
    code = "InternalFailure"
    http_status = 500
    sender_fault = False


class MissingAuthenticationToken(AwsError):
    code = "MissingAuthenticationToken"
    http_status = 403


class InvalidClientTokenId(AwsError):
    code = "InvalidClientTokenId"
    http_status = 403


class SignatureDoesNotMatch(AwsError):
    code = "SignatureDoesNotMatch"
    http_status = 403


class IncompleteSignature(AwsError):
    code = "IncompleteSignature"
    http_status = 403


class RequestEntityTooLarge(AwsError):
    code = "RequestEntityTooLargeException"
    http_status = 413


class RequestTimeout(AwsError):
    code = "RequestTimeout"
