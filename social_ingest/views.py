"""Webhooks: X's Account Activity API and Sada's generic signed channel.

Both fail closed: no secret configured, no signature, or a wrong one is 403,
before the body is parsed. The size limit is checked before anything is computed
over the body.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from helpdesk.logging import log_context

from . import services
from .models import InboundChannel, SocialAccount
from .parsers import PayloadError
from .signatures import (
    MAX_CRC_TOKEN_LENGTH,
    crc_response_token,
    sada_signature_valid,
    valid_crc_token,
    x_signature_valid,
)

logger = logging.getLogger(__name__)


def _error(status: int, error: str, reason: str) -> JsonResponse:
    return JsonResponse({"error": error, "reason": reason}, status=status)


def _bounded_body(request: HttpRequest) -> bytes | None:
    """The raw body, or None when it is over SADA_MAX_WEBHOOK_BYTES (never read whole)."""
    limit = settings.SADA_MAX_WEBHOOK_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


def _json(body: bytes):
    """(document, None) or (None, the reason it is not JSON)."""
    try:
        return json.loads(body.decode("utf-8")), None
    except UnicodeDecodeError as exc:
        return None, f"body is not UTF-8: {exc}"
    except RecursionError:
        return None, "body is nested too deeply"
    except ValueError as exc:
        return None, f"body is not valid JSON: {exc}"


@csrf_exempt
@require_http_methods(["GET", "POST"])
def x_webhook(request: HttpRequest) -> JsonResponse:
    """X Account Activity webhook.

    GET `?crc_token=...`: the challenge, answered with
    `{"response_token": "sha256=<base64 HMAC-SHA256(X_CONSUMER_SECRET, crc_token)>"}`.
    POST: events signed in `x-twitter-webhooks-signature` (the same HMAC of the raw
    body); `tweet_create_events` of the account named by `for_user_id` go through
    the ingest pipeline (source "webhook").
    """
    secret = settings.X_CONSUMER_SECRET
    if not secret:
        logger.error("X webhook called but X_CONSUMER_SECRET is not set: refused")
        return _error(403, "not_configured", "the webhook secret is not configured")
    if request.method == "GET":
        token = request.GET.get("crc_token")
        if not valid_crc_token(token):
            return _error(
                400,
                "invalid_crc_token",
                f"crc_token must be 1-{MAX_CRC_TOKEN_LENGTH} printable ASCII characters",
            )
        return JsonResponse({"response_token": crc_response_token(secret, token)})

    body = _bounded_body(request)
    if body is None:
        return _error(413, "too_large", f"the limit is {settings.SADA_MAX_WEBHOOK_BYTES} bytes")
    if not x_signature_valid(secret, body, request.headers.get("x-twitter-webhooks-signature")):
        logger.warning("X webhook POST with a missing or wrong signature refused")
        return _error(403, "bad_signature", "x-twitter-webhooks-signature is missing or wrong")
    doc, problem = _json(body)
    if problem:
        return _error(400, "invalid_json", problem)
    if not isinstance(doc, dict):
        return _error(400, "invalid_payload", "the body must be a JSON object")
    for_user = doc.get("for_user_id") if isinstance(doc.get("for_user_id"), str) else ""
    account = SocialAccount.objects.filter(platform="x", external_id=for_user).values_list(
        "handle", flat=True
    )
    try:
        with log_context(account=account.first() if for_user else ""):
            summary = services.webhook_ingest(body=doc)
    except PayloadError as exc:
        return _error(400, "invalid_payload", str(exc))
    return JsonResponse(summary)


@csrf_exempt
@require_http_methods(["POST"])
def channel_inbound(request: HttpRequest, channel: str) -> JsonResponse:
    """Mentions from another platform, signed with the channel's secret.

    Headers: `X-Sada-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`,
    `Content-Type: application/json`. The body is one item, a list of up to 100
    items, or `{"items": [...]}`. An item::

        {
          "id": "9f2c-1",                  # required: the post's id on that platform,
                                           #   a string of 1-64 printable ASCII, no spaces
          "text": "...",                   # required
          "created_at": "2026-11-22T09:00:00Z",   # ISO 8601 with a zone; default: now
          "author": {                      # the person writing (becomes the customer)
            "id": "u-123",                 # required when author is given
            "handle": "citizen", "name": "A Citizen",
            "followers": 120,              # whole number or null
            "verified": false
          },
          "conversation_id": "9f2c-0",     # threads posts into one case
          "in_reply_to_id": "9f2c-0",      # the post this one answers
          "lang": "ar",
          "hashtags": ["outage"]
        }

    Answers: 200 `{"received", "new_cases", "appended", "not_a_case", "duplicates",
    "rejected": 0}`; 400 with `reason` for a body that is not JSON or not this
    shape, and with `rejected_items` (index, id, error, detail) when some items
    were bad (the good ones are stored; the bad ones are kept as rejected events
    for inspection, and may be sent again once corrected); 403 for a missing or
    wrong signature or a channel without a secret; 404 for an unknown or inactive
    channel; 413 over SADA_MAX_WEBHOOK_BYTES. Sending an item again is harmless:
    the id makes it a duplicate.
    """
    found = InboundChannel.objects.filter(slug=channel, is_active=True).first()
    if found is None:
        return _error(404, "unknown_channel", f"no active channel {channel!r}")
    if not found.secret:
        return _error(403, "not_configured", "the channel has no secret")
    body = _bounded_body(request)
    if body is None:
        return _error(413, "too_large", f"the limit is {settings.SADA_MAX_WEBHOOK_BYTES} bytes")
    if not sada_signature_valid(found.secret, body, request.headers.get("X-Sada-Signature")):
        logger.warning("channel %s: POST with a missing or wrong signature refused", found.slug)
        return _error(403, "bad_signature", "X-Sada-Signature is missing or wrong")
    doc, problem = _json(body)
    if problem:
        return _error(400, "invalid_json", problem)
    try:
        with log_context(account=f"channel:{found.slug}"):
            summary, rejected = services.channel_ingest(channel=found, doc=doc)
    except PayloadError as exc:
        return _error(400, "invalid_payload", str(exc))
    if rejected:
        return JsonResponse(
            {
                "error": "invalid_items",
                "reason": f"{len(rejected)} item(s) rejected",
                "rejected_items": rejected,
                **summary,
            },
            status=400,
        )
    return JsonResponse(summary)
