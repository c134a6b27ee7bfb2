"""JSON bodies only, and never larger than SADA_API_MAX_BODY_BYTES (413)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from .exceptions import PayloadTooLarge


def check_body_size(request) -> None:
    """Refuse a declared Content-Length over the limit before anything reads it."""
    limit = settings.SADA_API_MAX_BODY_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")


class LimitedJSONParser(JSONParser):
    """Reads at most the limit (a chunked body has no Content-Length to check)."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.SADA_API_MAX_BODY_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        import io

        try:
            return super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:
            # json.loads gives up on deep nesting with RecursionError, not ValueError.
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
