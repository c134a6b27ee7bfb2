"""Content-Security-Policy on every response.

The UI's pages (views.ui_view) already carry the strict policy; this middleware
gives one to everything else: sign-in pages, the admin, the API docs, error pages.
Scripts only ever come from Sada itself: never 'unsafe-inline'. The API docs pages
(drf-spectacular's Swagger UI and Redoc) have one inline script each; their
templates (templates/drf_spectacular/) mark it with this request's nonce.
"""

import secrets

from .views import CONTENT_SECURITY_POLICY

# The admin and the API docs set style attributes and inject <style> elements (Redoc);
# styles cannot run code, so those pages allow inline styles. Scripts stay strict.
_RELAXED_STYLES = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
_DOCS_URL_NAMES = {"api:docs", "api:redoc"}


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        if "Content-Security-Policy" in response.headers:
            return response
        match = getattr(request, "resolver_match", None)
        if match is not None and (match.view_name in _DOCS_URL_NAMES or match.app_name == "admin"):
            policy = _RELAXED_STYLES.format(nonce=request.csp_nonce)
        else:
            policy = CONTENT_SECURITY_POLICY
        response.headers["Content-Security-Policy"] = policy
        return response
