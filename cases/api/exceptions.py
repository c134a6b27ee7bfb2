"""The one API exception handler: domain errors and DRF errors in one shape.

Every error body is `{"code": <machine code>, "detail": <message>, ...context}`:
`cases.exceptions` map to their own `http_status` (400/403/404/409) with the
context they carry (e.g. the current version of a stale case); a validation
error is `invalid_input` with the messages of each field under `errors`.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from ..exceptions import CaseError

logger = logging.getLogger(__name__)


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


# DRF's own codes, renamed where a clearer one reads better to a client.
_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ParseError: "parse_error",
    PayloadTooLarge: "request_too_large",
}


def error_body(code: str, detail: str, **context) -> dict:
    return {"code": code, "detail": str(detail), **context}


def _flatten(detail):
    """ErrorDetail trees as plain strings: {"field": ["message", ...]}."""
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for key, value in detail.items():
            message = _first_message(value)
            return message if key == "non_field_errors" else f"{key}: {message}"
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else "Invalid input."
    return str(detail)


def api_exception_handler(exc, context):
    # Imported here: rest_framework.views loads the parser and authentication
    # settings, which import this module.
    from rest_framework.views import set_rollback

    if isinstance(exc, CaseError):
        set_rollback()
        return Response(error_body(exc.code, exc.message, **exc.context), status=exc.http_status)
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: let Django log it and answer 500

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    extra = {}
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
        extra["retry_after"] = int(exc.wait)
    if isinstance(exc, exceptions.ValidationError):
        body = error_body("invalid_input", _first_message(exc.detail), errors=_flatten(exc.detail))
    else:
        code = _CODES.get(type(exc)) or exc.default_code
        body = error_body(code, exc.detail, **extra)
    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)
